FROM alpine
RUN echo $A $OB
ONBUILD RUN echo child

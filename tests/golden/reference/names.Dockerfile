FROM busybox
ENV A=1
COPY "a" $A $UNSET /x/
WORKDIR "/q $A"
WORKDIR $HOME/c
RUN echo "$A" '$A' $UNSET
ADD 'c' /y/

FROM alpine
RUN echo a \

  b

RUN echo \
# comment inside
  c

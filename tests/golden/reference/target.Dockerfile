ARG IMG=alpine
FROM busybox AS one
ARG V=def
RUN echo $V
FROM ${IMG} AS two
ARG V
ARG NOTSET
RUN echo $V $NOTSET
FROM one
RUN never

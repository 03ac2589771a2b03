FROM busybox
LABEL a=1 "b c"="d e"
EXPOSE 80 443/udp 8080/tcp
ENV X=1 Y="two words"
VOLUME /data ["/logs"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --start-interval=2s --retries=4 CMD curl -f http://localhost/
USER 1000
WORKDIR /app
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN echo $X
ENTRYPOINT ["/bin/app"]
CMD ["--help"]
ARG B=2
RUN echo $B
MAINTAINER someone
ONBUILD RUN echo later

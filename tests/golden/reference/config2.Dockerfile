FROM alpine
ENV OLD style value
ARG SIG=SIGINT
STOPSIGNAL $SIG
HEALTHCHECK CMD ["/bin/check", "--fast"]
SHELL ["/bin/bash", "-c"]
CMD echo "$OLD"
ENTRYPOINT exec /app "$OLD"
LABEL "quoted key"='single $OLD' multi="a\
b"
EXPOSE 53/udp 53/tcp 80
USER root
VOLUME /v1 /v2
ONBUILD ADD . /app
WORKDIR ../up
RUN echo end

FROM busybox
WORKDIR /a
WORKDIR b
WORKDIR $HOME/c
USER 1000:1000
WORKDIR /d
RUN pwd
COPY x .
USER nobody
COPY --chown=nobody y z/
ADD y /w/
WORKDIR /
SHELL ["/bin/bash", "-c"]
RUN echo sh
ENTRYPOINT ["x"]
CMD y

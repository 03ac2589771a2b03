FROM busybox AS st
RUN adduser -D app
FROM busybox
COPY --from=st --chown=app:app /home/app /h
COPY --from=st /etc/pass* /e/
RUN --mount=type=secret,id=x,env=Y,target=/z true
RUN --mount=type=ssh,required=true true
RUN --mount=type=cache,target=/x,sharing=locked,readonly true
RUN --mount=type=cache,target=/y,from=st true
RUN <<A cat > /a && <<B cat > /b
one
A
two
B
ARG EMPTY
ARG SET=v
RUN ["sh", "-c", "echo $SET"]
ENV P=1
CMD ["echo", "$P"]
ENTRYPOINT ["/bin/sh", "-c"]
RUN --mount=type=bind,source=.,target=/ctx,from=st ls
RUN --mount=type=tmpfs,target=/t,size=1k true
COPY --chown=1:1 --chmod=700 . /all/
ADD --chown=app a.tar.gz /tar/

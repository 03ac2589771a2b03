# escape=`
FROM busybox AS base
FROM scratch AS s
COPY --from=base /bin/busybox /bb
FROM busybox

COPY --from=base /etc/passwd /p
COPY --from=busybox --chown=1:1 /bin/sh /sh
COPY --link --chmod=755 a /ln
COPY --link --parents a/b /pp/
ADD --link https://example.com/z /z
ADD --exclude=*.md --exclude=docs . /src/
COPY --from=base --exclude=*.tmp / /all/
RUN --mount=type=cache,target=/var/cache/apt,sharing=private --mount=type=cache,target=/c2,id=shared,from=base,source=/tmp `
    echo multi
RUN --mount=type=bind,from=busybox,source=/bin,target=/b ls /b
RUN ["echo", "exec form"]
SHELL ["/bin/sh", "-xc"]
RUN ["echo", "exec after shell"]
RUN echo shell after shell
RUN --network=none --security=insecure echo both
WORKDIR rel
COPY a* ./
COPY b c dir/

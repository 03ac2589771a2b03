FROM alpine AS unused
COPY --from=busybox /bin/sh /never
FROM alpine
RUN --mount=from=busybox,target=/b ls /b
COPY --from=busybox /bin/sh /sh
COPY --from=busybox /bin/ls /ls
RUN --mount=type=bind,from=busybox,source=/bin,target=/c ls /c

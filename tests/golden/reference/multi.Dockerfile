FROM busybox AS a
RUN echo a > /a
FROM scratch AS b
COPY --from=a /a /b
FROM a AS c
COPY --from=b /b /c
RUN --mount=from=b,target=/m cat /m/b
FROM alpine AS unused
RUN echo never
FROM c
COPY --from=busybox /bin/sh /sh2
COPY --from=0 /a /d

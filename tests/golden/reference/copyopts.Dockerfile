FROM busybox AS b
FROM busybox
COPY --link a /a
COPY --link --from=b /bin/sh /sh
COPY --chmod=755 a /x
COPY --chmod=u+x,g-w a /y
COPY --chown=1:2 a /z
COPY --chown=user:group a /z2
COPY --parents a/b/c d/e /p/
COPY --parents ./x/./y/z /q/
COPY --exclude=*.tmp --exclude=foo . /e/
COPY --link --chmod=644 --chown=10 a* /l/
ADD --link --chmod=755 a /add/

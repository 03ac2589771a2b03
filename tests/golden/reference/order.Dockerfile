FROM busybox AS x
RUN echo x
FROM busybox AS y
RUN echo y
FROM busybox
RUN --mount=type=bind,from=x,target=/z --mount=type=bind,from=y,target=/a true
ADD http://example.com/one http://example.com/two /dl/
COPY --from=x /a /b /c/

FROM busybox AS base
RUN echo base > /f
FROM alpine
WORKDIR /app
RUN --mount=type=cache,target=/c --mount=type=secret,id=s --mount=type=ssh --mount=type=tmpfs,target=/t true
RUN --mount=from=base,target=/b,rw cat /b/f
RUN <<EOT
echo heredoc
EOT
COPY <<EOF /doc
text
EOF
COPY --link --from=base /f /linked
COPY --chmod=600 --chown=1:2 a /a
RUN --network=none true
ADD https://example.com/f /f
ADD https://github.com/moby/buildkit.git#v0.8.0 /bk
ENV X=1
CMD ["x"]

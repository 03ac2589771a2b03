FROM busybox AS build
RUN --mount=type=cache,target=/c echo build
FROM busybox
LABEL from=dockerfile
COPY --from=build /etc/hostname /h
RUN --mount=type=tmpfs,target=/t echo final

FROM --platform=$BUILDPLATFORM busybox AS build
ARG TARGETOS TARGETARCH
RUN echo $TARGETOS/$TARGETARCH > /t
FROM --platform=linux/arm64 alpine AS arm
RUN uname -m
FROM busybox
COPY --from=build /t /t
COPY --from=arm /etc/os-release /arm

ARG TARGETPLATFORM
ARG BUILDPLATFORM
FROM --platform=$BUILDPLATFORM busybox AS Build
ARG TARGETARCH
RUN echo $TARGETARCH > /arch
FROM busybox AS base
ONBUILD COPY --from=build /arch /arch
ONBUILD RUN cat /arch
FROM base
COPY --parents --from=build /arch /p/
RUN --network=host echo $HTTP_PROXY
ARG http_proxy
RUN echo $http_proxy

# check=experimental=all
ARG VERSION=3.19
# IMAGE the image
ARG IMAGE
# some comment
ARG A B=2
FROM alpine:$VERSON AS build
FROM busybox:$TAG
FROM ${IMAGE:-alpine} AS img
FROM --platform=$TARGETPLATFORM alpine AS redundant
FROM --platform=${TARGETPLATFORM} alpine AS redundant2
FROM --platform=linux/arm64 alpine AS const
FROM --platform=linux/arm64 alpine AS build-arm64
FROM --platform=$BUILDPLATFORM alpine AS native
# wrong description
FROM alpine AS described

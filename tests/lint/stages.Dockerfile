FROM alpine AS base
FROM alpine AS base
FROM alpine AS context
FROM alpine AS scratch
FROM scratch
COPY --from=base /a /b

FROM alpine AS base
ONBUILD ENV T=1
ONBUILD WORKDIR /ob
ONBUILD RUN echo trig $T
RUN echo base
FROM base AS child
RUN echo child $T
FROM child
RUN echo grandchild

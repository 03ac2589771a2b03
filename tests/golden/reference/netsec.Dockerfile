FROM busybox
RUN --network=none true
RUN --network=host true
RUN --network=default true
RUN --security=insecure true
RUN --security=sandbox true

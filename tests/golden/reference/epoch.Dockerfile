FROM busybox
COPY a /a
ADD https://example.com/b /b
RUN echo hi
WORKDIR /w
COPY <<EOF /c
c
EOF

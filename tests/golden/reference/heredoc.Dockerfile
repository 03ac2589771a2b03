FROM busybox
RUN <<EOT
echo a
echo b
EOT
RUN <<EOT bash
set -e
echo $HOME
EOT
RUN cat <<A > /a && cat <<-B > /b
hello
A
	world
	B
ARG X=1
COPY <<EOF /etc/x.conf
x=$X
EOF
COPY <<"EOF" <<'E2' /dst/
a $X
EOF
b
E2
RUN <<EOT
#!/usr/bin/env python3
print("hi")
EOT
RUN python3 <<EOT
print(1)
EOT
COPY --chmod=600 <<EOF /secret
s
EOF

FROM busybox
ARG A=1
ARG B=${A}2
ENV C=$B D=${B:-x} E=${NOPE:-dflt} F=${A:+set}
EXPOSE ${A}000 3000-3005/tcp
LABEL k=$C
USER ${A}:${A}
HEALTHCHECK NONE
CMD echo shell form
ENTRYPOINT exec app
RUN <<-EOT
	echo indented
	EOT
COPY --chmod=0644 --chown=${A} <<EOF /f
$C ${D}
EOF
ADD --chown=5:5 --chmod=640 https://example.com/a.txt /a.txt
ADD --keep-git-dir=false https://github.com/moby/buildkit.git?ref=v0.10.1&subdir=docs /bk
ADD git@github.com:moby/buildkit.git /ssh

FROM busybox AS base
RUN echo base > /f
FROM busybox
RUN --mount=type=cache,target=/root/.cache,id=mycache,sharing=locked,mode=0700,uid=1,gid=2 ls
RUN --mount=type=cache,target=/c2,from=base,source=/src,ro true
RUN --mount=type=bind,from=base,source=/f,target=/mnt/f cat /mnt/f
RUN --mount=type=bind,target=/ctx,rw ls /ctx
RUN --mount=target=/ctx2 ls
RUN --mount=type=tmpfs,target=/tmp,size=64m ls
RUN --mount=type=secret,id=s1 cat /run/secrets/s1
RUN --mount=type=secret,id=s2,target=/s,required=true,mode=0400,uid=5,gid=6 true
RUN --mount=type=secret,id=TOKEN,env=TOKEN true
RUN --mount=type=ssh true
RUN --mount=type=ssh,id=gh,target=/ssh.sock,required=false,mode=0666 true
RUN --mount=type=cache,target=/x --mount=type=bind,source=a,target=/a --mount=type=tmpfs,target=/t true

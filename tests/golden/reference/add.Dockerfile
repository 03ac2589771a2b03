FROM busybox
ADD http://example.com/a.tar.gz /dl/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/f /f
ADD --chmod=600 --chown=1:1 https://example.com/g /g
ADD https://github.com/moby/buildkit.git#v0.10.1 /bk
ADD --keep-git-dir=true git@github.com:moby/buildkit.git#main:docs /docs
ADD --unpack=true https://example.com/x.tar /u/
ADD --unpack=false a.tar /nu/
ADD a.tar /t/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://github.com/moby/buildkit.git#v0.10.1 /ck

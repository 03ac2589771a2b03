FROM alpine AS first
WORKDIR relative
WORKDIR again
CMD echo one
CMD ["two"]
ENTRYPOINT run
ENTRYPOINT ["run"]
HEALTHCHECK NONE
HEALTHCHECK CMD true
MAINTAINER someone
# check=skip=JSONArgsRecommended
CMD skipped
FROM first AS second
WORKDIR inherits-set
CMD ["only one here"]
FROM alpine AS shelled
SHELL ["/bin/bash", "-c"]
CMD echo with shell
FROM shelled
ENTRYPOINT echo inherited shell
ONBUILD RUN echo $ONBUILD_VAR
FROM second

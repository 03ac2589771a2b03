# check=skip=all
FROM alpine AS Bad
MAINTAINER x
CMD echo

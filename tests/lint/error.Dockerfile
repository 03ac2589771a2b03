# check=error=true;skip=JSONArgsRecommended
FROM alpine as base
MAINTAINER x
CMD echo skipped

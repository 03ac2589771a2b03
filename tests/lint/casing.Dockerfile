FROM alpine AS Builder
RUN echo hi
run echo lower
Copy a b
from alpine as Second
FROM builder AS third

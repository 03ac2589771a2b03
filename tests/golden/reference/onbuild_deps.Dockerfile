FROM onb2
RUN true

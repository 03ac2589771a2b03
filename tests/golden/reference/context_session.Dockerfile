FROM busybox
COPY go.mod go.sum ./
COPY src/ /src/
RUN --mount=type=bind,source=cfg,target=/cfg true
COPY . /all

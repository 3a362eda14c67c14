# Versa: a static binary on distroless. Build: docker build -t versa .
# Run:   docker run --read-only -p 8080:8080 -v versa-data:/data versa
#
# The image runs as uid 65532 with no shell, and writes nothing outside the
# /data volume (SQLite keeps its temporary data in memory), so a read-only
# root filesystem works. Behind a TLS-terminating proxy, add
# -e VERSA_HTTPS_HEADERS=true -e VERSA_BASE_URL=https://your.host.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so editing the code or content reuses this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/versa ./cmd/versa
# The runtime image has no shell to make the data folder, and its volume must
# be writable by the nonroot user (uid 65532), so it is made here.
RUN mkdir -p /out/data && chown 65532:65532 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/versa /usr/local/bin/versa
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /src/content /app/content
WORKDIR /app
ENV VERSA_ADDR=:8080 VERSA_CONTENT=/app/content VERSA_DATA=/data
# docker stop waits 10s before SIGKILL: requests in flight get 8s of it, the
# rest is for closing the index and the database.
ENV VERSA_SHUTDOWN_TIMEOUT=8s
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
# The first start on an empty volume loads the content before it listens.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s CMD ["/usr/local/bin/versa", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/versa"]
CMD ["serve"]

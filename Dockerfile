# The shipgate CLI in a container: a static binary on a distroless base,
# running as a non-root user. distroless/static carries the CA bundle that
# the default trust (system roots next to the embedded Microsoft and Apple
# roots) reads; pass --no-system-roots for hermetic runs.
#
#   docker build -t shipgate .
#   docker run --rm -v "$PWD/dist:/release:ro" shipgate verify /release
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/shipgate ./cmd/shipgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shipgate /usr/local/bin/shipgate
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/shipgate"]
CMD ["--help"]

# Runbook Portal: build the browser bundle and the server, then run the single binary on a slim image.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN make build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/runbook-portal --create-home portal
COPY --from=build /src/target/release/runbook-portal /usr/local/bin/runbook-portal
USER portal
WORKDIR /var/lib/runbook-portal
VOLUME ["/var/lib/runbook-portal/data"]
EXPOSE 3000
ENTRYPOINT ["runbook-portal"]
CMD ["serve", "--listen", "0.0.0.0:3000"]

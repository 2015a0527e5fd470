# Runbook Portal's image: the browser bundle and the server built from a clean checkout
# (`make build`), then the one stripped binary on nothing but the C library and CA certificates,
# run as UID/GID 10001.
#   podman build --format docker --target runtime -t runbook-portal .   (or `make image`)
#   podman build --format docker --target prebuilt -t runbook-portal DIR
#     (DIR holds a runbook-portal binary already built for bookworm: `make container-test`)
# --format docker keeps the HEALTHCHECK (the OCI image format has none); Docker keeps it anyway.
# Base images are build arguments, pinned by digest, so a machine without a registry can pass its
# own (scripts/container-base-images).
ARG RUST_BASE=docker.io/library/rust:1.95-bookworm@sha256:adad87df11151c18ba1689c3e1ea8d4810540a29c0adf4a3d69aec35d8ed8968
ARG RUNTIME_BASE=docker.io/library/debian:bookworm-slim@sha256:abd67ffcfa541b485a3dff59865ab629aa048a6c613e639d36e7456b0b229241

FROM ${RUST_BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates gcc libc6-dev make nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The tools first (the wasm32 target, wasm-bindgen at the lock's version, wasm-opt): this layer
# stays cached until Cargo.lock or the Node packages change.
COPY Cargo.lock ./
COPY scripts/setup scripts/
COPY end2end/package.json end2end/package-lock.json end2end/
RUN scripts/setup
COPY . .
# Crates and the target directory live in cache mounts, so after a code change cargo rebuilds only
# the crates that changed. The binary is copied out of the mount, stripped (104 MB with symbols).
RUN --mount=type=cache,id=runbook-portal-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=runbook-portal-target,target=/src/target \
    make build CARGO_TARGET_DIR=/src/target \
 && objcopy --strip-all /src/target/release/runbook-portal /usr/local/bin/runbook-portal

# The runtime's whole file system, assembled on Debian: the shared libraries the binary links
# (glibc's and libgcc's, whatever the architecture), the CA certificates for AWS and single sign-on,
# a numeric user and the data directory it owns, and `hosts: files dns` (without it glibc asks DNS
# before /etc/hosts, where runtimes put --add-host and hostAliases). No shell, no package manager:
# nothing in the image but what the portal runs on.
FROM ${RUNTIME_BASE} AS rootfs
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/local/bin /rootfs/var/lib/runbook-portal/data \
 && dpkg -L libc6 libgcc-s1 | grep -E '\.so(\.[0-9]+)*$' | grep -v /gconv/ \
      | xargs cp -a --parents --target-directory=/rootfs \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nportal:x:10001:10001::/var/lib/runbook-portal:/usr/sbin/nologin\n' \
      > /rootfs/etc/passwd \
 && printf 'root:x:0:\nportal:x:10001:\n' > /rootfs/etc/group \
 && printf 'hosts: files dns\n' > /rootfs/etc/nsswitch.conf \
 && install -d -m 1777 /rootfs/tmp \
 && chown -R 10001:10001 /rootfs/var/lib/runbook-portal \
 && chmod 0700 /rootfs/var/lib/runbook-portal/data

# What both runtime targets share. The data directory is owned by the numeric user the portal runs
# as, so an empty named volume mounted there starts with that owner, and Kubernetes' runAsNonRoot
# can check the user.
FROM scratch AS runtime-base
COPY --from=rootfs /rootfs/ /
# Ownership is given again: not every builder keeps it across stages.
COPY --from=rootfs --chown=10001:10001 /rootfs/var/lib/runbook-portal/ /var/lib/runbook-portal/
ENV PATH=/usr/local/bin \
    RUNBOOK_PORTAL_LISTEN=0.0.0.0:3000 \
    RUNBOOK_PORTAL_DATA_DIR=/var/lib/runbook-portal/data
WORKDIR /var/lib/runbook-portal
VOLUME ["/var/lib/runbook-portal/data"]
USER 10001:10001
EXPOSE 3000
# `probe` asks /livez on the port RUNBOOK_PORTAL_LISTEN names (the image has no shell, no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["runbook-portal", "probe"]
ENTRYPOINT ["runbook-portal"]
CMD ["serve"]

# A binary built outside (by `make build` on bookworm), stripped, in the build context.
FROM runtime-base AS prebuilt
COPY runbook-portal /usr/local/bin/runbook-portal

# The default target: the binary the build stage made.
FROM runtime-base AS runtime
COPY --from=build /usr/local/bin/runbook-portal /usr/local/bin/runbook-portal

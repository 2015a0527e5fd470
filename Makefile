# Runbook Portal. `make run` and `make test` install what is missing, then build.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

export CARGO_TARGET_DIR ?= $(CURDIR)/target
PORTAL := $(CARGO_TARGET_DIR)/release/runbook-portal
WASM_CARGO := scripts/wasm-cargo
WASM := --target wasm32-unknown-unknown

.PHONY: run build site server emulator test fmt structure clippy clippy-ssr clippy-wasm rust-test compat e2e setup setup-test setup-container image container-test-image container-test deploy-check bench soak clean

## make run: build, then serve the portal on http://127.0.0.1:3000 with the embedded emulator.
run: build
	$(PORTAL) serve

## make emulator: the emulator alone on http://127.0.0.1:4566, for the AWS CLI and SDKs.
emulator: build
	$(PORTAL) emulator

build: site server

setup:
	scripts/setup

setup-test:
	scripts/setup --test

setup-container:
	scripts/setup --container

site: setup
	scripts/build-site

server: site
	cargo build --locked --release -p server

## make test: formatting, module cycles, clippy (server and browser sides), Rust tests, AWS CLI and boto3
## compatibility of the emulator, the deployment files, browser tests (the container's among them).
test: setup-test fmt structure clippy rust-test compat deploy-check e2e

fmt:
	cargo fmt --all --check

## No module of a crate depends, through others, on itself.
structure:
	for crate in accounts app backend domain emulator grants notifications portal server; do scripts/module-cycles $$crate/src --depth 1; done

clippy: clippy-ssr clippy-wasm

clippy-ssr:
	cargo clippy --locked --release --workspace --exclude frontend --all-targets -- -D warnings

clippy-wasm: setup
	$(WASM_CARGO) clippy --locked --profile wasm-release -p frontend -p app $(WASM) -- -D warnings

## The database tests run on SQLite and on a PostgreSQL server of their own (scripts/with-postgres).
rust-test: build
	scripts/with-postgres cargo test --locked --release --workspace --exclude frontend

compat: build setup-test
	PORTAL_BIN=$(PORTAL) python3 -m pytest -q -p no:cacheprovider emulator/compat

e2e: build setup-test container-test-image
	cd end2end && PORTAL_BIN=$(PORTAL) ../scripts/with-postgres npx playwright test

## make image: the image, built whole from this checkout by the Dockerfile (podman; the base images
## are made first when missing). Long: it builds every crate.
image: setup-container
	scripts/container-image

## The Dockerfile's runtime stage around the binary `make build` made (quick).
container-test-image: build setup-container
	scripts/container-image --prebuilt $(PORTAL)

## make container-test: that image run on an empty volume, the seed procedure in a browser against it.
container-test: container-test-image setup-test
	cd end2end && PORTAL_BIN=$(PORTAL) npx playwright test tests/container.spec.ts

## The compose file and Kubernetes manifests against their schemas, and what the portal needs of them.
deploy-check: setup-test
	scripts/check-deploy

## make bench: the emulator's engine, the portal's live status (one replica, and two on PostgreSQL),
## its shutdown, signed-in users under load with autocannon, and each page's first load on a slow
## phone in Chromium (figures, not pass/fail tests). The live-status and load benches open
## thousands of connections: they raise the open-files limit.
bench: build setup-test
	cd end2end && PAGE_TIMES=1 PORTAL_BIN=$(PORTAL) npx playwright test tests/page_weight.spec.ts --project hydrated
	cargo bench --locked --workspace --exclude frontend --bench engine
	ulimit -n $$(ulimit -Hn) && scripts/with-postgres cargo bench --locked --workspace --exclude frontend --bench live_status
	ulimit -n $$(ulimit -Hn) && cargo bench --locked --workspace --exclude frontend --bench shutdown
	ulimit -n $$(ulimit -Hn) && cd end2end && PORTAL_BIN=$(PORTAL) npx playwright test -c playwright.bench.config.ts load.bench.ts

## make soak: an hour of moderate load (SOAK_SECONDS to change it), the portal sampled every minute.
soak: build setup-test
	ulimit -n $$(ulimit -Hn) && cd end2end && PORTAL_BIN=$(PORTAL) npx playwright test -c playwright.bench.config.ts soak.bench.ts

clean:
	rm -rf site
	cargo clean

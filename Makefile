# Two commands: `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift
BIN_RELEASE := .build/release/junction
BIN_DEBUG := .build/debug/junction
CONFIG ?= routes.yaml

.PHONY: run test build release bootstrap bootstrap-test bench fuzz clean

bootstrap:
	@scripts/bootstrap.sh

bootstrap-test:
	@scripts/bootstrap.sh --with-venv

release: bootstrap
	$(SWIFT) build -c release --product junction

build: bootstrap
	$(SWIFT) build --build-tests

run: release
	$(BIN_RELEASE) run $(CONFIG)

test: bootstrap-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	JUNCTION_BIN=$(abspath $(BIN_DEBUG)) .venv/bin/python -m pytest -q Tests/interop

bench: release
	benchmarks/pipeline.sh

# Not part of `test`: libFuzzer on the SDP, STUN and DCEP parsers, 1,000,000 runs each.
fuzz: bootstrap
	scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz

# pantau: one command each for set-up, tests, lint and the live demo.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STATE ?= .state
DEMO_PORT ?= 6066
# Every Python package, pinned and hashed (requirements/lock.sh regenerates it).
LOCK ?= requirements/dev.lock
# The one version number, pyproject.toml's: the image's tag (make image).
VERSION = $(shell $(PYTHON) -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])")
# The Debian packages to check first: deploy/local/packages.sh setup|demo|test.
PACKAGES_FOR = setup

.PHONY: setup packages image test lint demo demo-stop services-stop clean

setup: $(VENV)/.installed
	deploy/local/kafka.sh fetch

# Before anything else: as root it installs the missing Debian packages, otherwise it
# stops with the apt-get install line. demo and test set PACKAGES_FOR for their needs.
packages:
	deploy/local/packages.sh $(PACKAGES_FOR)

# The virtualenv with pantau and its test tools: every package from the hashed lock, then
# pantau itself without dependencies.
$(VENV)/.installed: pyproject.toml $(LOCK) | packages
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(VENV)/bin/pip check
	touch $@

# The image, tagged with the version (docker compose: PANTAU_VERSION, default the same).
image:
	docker build -t pantau:$(VERSION) .

test: PACKAGES_FOR = test
test: setup tests/browser/node_modules/.installed
	deploy/local/kafka.sh start
	$(PY) -m pytest $(PYTEST_ARGS)

# playwright-core for the board's browser test; it drives /usr/bin/chromium, never a download.
tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json | packages
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
	touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

demo: PACKAGES_FOR = demo
demo: setup  # demo.sh starts the broker too, and stops what it started if a step fails
	DEMO_PORT=$(DEMO_PORT) deploy/local/demo.sh start

demo-stop:
	deploy/local/demo.sh stop

services-stop: demo-stop
	deploy/local/kafka.sh stop

clean: services-stop
	rm -rf $(STATE) $(VENV)

# The benchmark of issue #5 on the local broker: throughput, latency, memory, restart.
# BENCH_EVENTS sizes it; results go to bench/results/latest.json (see docs/performance.md).
BENCH_EVENTS ?= 1000000
.PHONY: bench bench-compare predictions
# The accuracy of the predicted waits beside a naive estimator (docs/predictions.md).
predictions: setup
	$(PY) -m bench.predictions --offices 4 --days 5 --seed 7 --png docs/predictions.png

bench: setup
	deploy/local/kafka.sh start
	BENCH_EVENTS=$(BENCH_EVENTS) $(PY) -m bench

# This tree beside another revision, alternating in one run: make bench-compare BASE=HEAD~1
bench-compare: setup
	deploy/local/kafka.sh start
	$(PY) -m bench.compare $(BASE)

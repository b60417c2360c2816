# One command per habit: make run, make test, make lint, make bench.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
TESTKIT := $(VENV)/.installed-test
CHROMIUM := /usr/bin/chromium
REDIS_SERVER := /usr/bin/redis-server
NGINX := /usr/sbin/nginx
NPM := /usr/bin/npm
AXE := node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run cluster test test-api test-on-redis test-browser lint format bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TESTKIT): pyproject.toml package.json $(AXE) | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(RUNTIME)

# axe-core, for the browser tests' accessibility checks: the version package.json pins.
$(AXE): package.json | $(NPM)
	$(NPM) install --no-package-lock --no-audit --no-fund --loglevel=error
	touch $@

$(NPM):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm

$(CHROMIUM):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# Redis and nginx, for `make cluster` and the cluster tests: the Debian packages.
$(REDIS_SERVER):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server

$(NGINX):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx

run: $(RUNTIME)
	$(VENV)/bin/stepwise --host $(HOST) --port $(PORT)

# Redis, WORKERS single-process workers (default: one per core) and nginx on $(PORT), on
# loopback, as deploy/docker-compose.yml runs them; Ctrl-C stops them all.
cluster: $(RUNTIME) $(REDIS_SERVER) $(NGINX)
	PORT=$(PORT) bash deploy/cluster.sh

test: test-api test-on-redis test-browser

# The browser suite runs in its own process: pytest-playwright keeps an event loop
# running for the whole process, which async and WebSocket tests must not share.
test-api: $(TESTKIT) $(REDIS_SERVER) $(NGINX)
	$(PY) -m pytest -p no:playwright --ignore=tests/browser -q

# The same API and WebSocket tests again, in cluster mode: every app on one Redis.
test-on-redis: $(TESTKIT) $(REDIS_SERVER)
	bash tests/cluster/on_redis.sh $(PY) -m pytest -p no:playwright tests/api tests/ws -q

test-browser: $(TESTKIT) $(CHROMIUM)
	$(PY) -m pytest tests/browser -q

lint: $(TESTKIT)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy app

format: $(TESTKIT)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(TESTKIT) $(CHROMIUM)
	@set -e; found=0; for script in bench/bench_*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(PY) "$$script"; \
	done; [ $$found = 1 ] || echo "no benchmarks yet"

clean:
	rm -rf $(VENV) node_modules test-artifacts .pytest_cache .mypy_cache .ruff_cache

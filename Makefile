# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup bundle serve test validate build system-deps screenshots benchmark conformance clean

$(BIN)/alliance-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The workbench bundle, built from the npm registry's packages (see frontend/). It is committed
# (src/alliance_kg/web/static/dist), so installing the package needs no Node; after changing
# the front end run `make bundle` and commit the result (tests/test_packaging.py checks it).
NODE_MODULES := frontend/node_modules/.package-lock.json
FRONTEND := src/alliance_kg/web/static/dist/query.js
$(NODE_MODULES): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
$(FRONTEND): $(NODE_MODULES) frontend/build.mjs $(wildcard src/alliance_kg/web/static/app/*.* src/alliance_kg/web/static/app/lib/*.js)
	cd frontend && npm run build

bundle: $(NODE_MODULES)
	cd frontend && npm run build

setup: $(BIN)/alliance-kg $(FRONTEND)

serve: setup
	$(BIN)/alliance-kg serve --host $(HOST) --port $(PORT)

validate: setup
	$(BIN)/alliance-kg validate

build: setup
	$(BIN)/alliance-kg build

# Browser and triple store for the end-to-end tests (Debian packages; needs root).
system-deps:
	bash scripts/system-deps.sh

test: setup system-deps
	$(BIN)/python -m pytest

# The W3C suites' EARL reports (docs/conformance) and the README's table, rewritten from one run.
conformance: setup
	ALLIANCE_KG_UPDATE_CONFORMANCE=1 $(BIN)/python -m pytest -q tests/test_query_w3c.py tests/test_protocol_w3c.py tests/test_shacl_w3c.py tests/test_conformance.py -k 'earl or readme'

screenshots: setup system-deps
	$(BIN)/python scripts/screenshots.py

# Peers (rdflib-endpoint, Oxigraph server) are installed into the same venv; sizes: 1k,100k,1m.
BENCH_SIZES ?= 1k
benchmark: setup
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES) --markdown

clean:
	rm -rf $(VENV) dist build .pytest_cache frontend/node_modules

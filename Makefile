# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup serve test validate build system-deps benchmark clean

$(BIN)/alliance-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/alliance-kg

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

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) dist .pytest_cache

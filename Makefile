# Two-command promise: `make run` and `make test` work from a fresh clone.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export UV_COMPILE_BYTECODE := 1
export PYTHONDONTWRITEBYTECODE :=
WAREHOUSE ?= ./warehouse

.PHONY: setup run test test-server test-all bench serve deploy worker lock clean help

help:
	@echo "make run          set up .venv if needed, ingest the bundled sample corpus into $(WAREHOUSE)"
	@echo "make test         set up .venv if needed, run the fast test suite"
	@echo "make test-server  tests against a real Prefect server (and the UI check)"
	@echo "make bench        benchmark harness (prints a table, writes bench/results.json)"
	@echo "make lock         re-resolve requirements.lock from pyproject.toml"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

run: setup
	$(BIN)/ingest run --warehouse $(WAREHOUSE)

test: setup
	$(BIN)/python -m pytest -q

test-server: setup
	$(BIN)/python -m pytest -m "server or ui" -p no:cacheprovider

test-all: test test-server

bench: setup
	$(BIN)/python bench/run_bench.py

lock:
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) $(WAREHOUSE)/*.duckdb* $(WAREHOUSE)/lake

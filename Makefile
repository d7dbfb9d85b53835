# Two-command promise: `make run` and `make test` work from a fresh clone.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export UV_COMPILE_BYTECODE := 1
export PYTHONDONTWRITEBYTECODE :=
WAREHOUSE ?= ./warehouse

# The scheduled-runs path (README, "Scheduled runs in the Prefect UI").
PREFECT_PORT ?= 4200
API_URL  ?= http://127.0.0.1:$(PREFECT_PORT)/api
POOL     ?= ingest-pool
PREFECT  := PREFECT_API_URL=$(API_URL) $(BIN)/prefect

.PHONY: setup run test test-server test-all bench server server-stop deploy worker trigger serve ui lock clean help

help:
	@echo "make run          set up .venv if needed, ingest the bundled sample corpus into $(WAREHOUSE)"
	@echo "make test         set up .venv if needed, run the fast test suite"
	@echo "make test-server  tests against a real Prefect server (and the UI check)"
	@echo "make bench        ingest run vs plain jieba on 10 and 60 MB generated corpora (table + bench/results.json)"
	@echo "make server       start a Prefect server on 127.0.0.1:$(PREFECT_PORT) in the background (UI at http://127.0.0.1:$(PREFECT_PORT))"
	@echo "make deploy       create the '$(POOL)' process work pool, the 'fetch' concurrency limit, and deploy prefect.yaml"
	@echo "make worker       start a process worker on '$(POOL)' (runs flows here with .venv's python; Ctrl-C stops it)"
	@echo "make trigger      run the ingest-local deployment now and watch it to the end"
	@echo "make serve        one process instead of server+pool+worker: serve the ingest flow on a schedule"
	@echo "make server-stop  stop the background server"
		@echo "make lock         re-resolve requirements.lock from pyproject.toml"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --reinstall --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

run: setup
	$(BIN)/ingest run --warehouse $(WAREHOUSE)

test: setup
	$(BIN)/python -m pytest -q

test-server: setup
	$(BIN)/python -m pytest -m "server or ui" -p no:cacheprovider

test-all: test test-server

server: setup
	PREFECT_SERVER_API_PORT=$(PREFECT_PORT) PREFECT_UI_API_URL=$(API_URL) $(BIN)/prefect server start --background --host 127.0.0.1 --port $(PREFECT_PORT)
	@for i in $$(seq 60); do curl -sf $(API_URL)/health >/dev/null && break; sleep 1; done; \
	 curl -sf $(API_URL)/health >/dev/null || { echo "server did not answer on $(API_URL) within 60 s"; exit 1; }
	@echo "Prefect server up: UI at http://127.0.0.1:$(PREFECT_PORT)  (export PREFECT_API_URL=$(API_URL))"

server-stop: setup
	$(BIN)/prefect server stop

deploy: setup
	$(PREFECT) work-pool inspect $(POOL) >/dev/null 2>&1 || $(PREFECT) work-pool create $(POOL) --type process
	$(PREFECT) concurrency-limit inspect fetch >/dev/null 2>&1 || $(PREFECT) concurrency-limit create fetch 4
	$(PREFECT) --no-prompt deploy --all

worker: setup
	$(PREFECT) worker start --pool $(POOL)

trigger: setup
	$(PREFECT) deployment run ingest-speeches/ingest-local --watch

serve: setup
	PREFECT_API_URL=$(API_URL) $(BIN)/ingest serve --warehouse $(WAREHOUSE)

ui:
	@echo "http://127.0.0.1:$(PREFECT_PORT)/runs"

bench: setup
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) $(WAREHOUSE)/*.duckdb* $(WAREHOUSE)/lake

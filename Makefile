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
PREFECT_HOME ?= $(HOME)/.prefect
SERVER_PID := $(PREFECT_HOME)/server.pid
SERVER_LOG ?= $(PREFECT_HOME)/server-$(PREFECT_PORT).log
ANALYTICS ?= false

.PHONY: setup run test test-server test-all bench server server-stop deploy worker trigger serve ui lock clean help

help:
	@echo "make run          set up .venv if needed, ingest the bundled sample corpus into $(WAREHOUSE)"
	@echo "make test         set up .venv if needed, run the fast test suite"
	@echo "make test-server  tests against a real Prefect server (and the UI check)"
	@echo "make bench        ingest run vs plain jieba on 10 and 60 MB generated corpora (table + bench/results.json)"
	@echo "make server       start a Prefect server on 127.0.0.1:$(PREFECT_PORT) in the background (UI at http://127.0.0.1:$(PREFECT_PORT); log in $(SERVER_LOG))"
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

# `prefect server start --background` hands the server a pipe that nobody reads once the command
# returns: the server's first log line (on a machine without outbound network, telemetry failing)
# kills it. So the server runs in the foreground, detached, its output in $(SERVER_LOG), with
# analytics off; its PID goes where `prefect server stop` looks, and a stale PID file is cleared.
server: setup
	@mkdir -p "$(PREFECT_HOME)"; \
	 if [ -f "$(SERVER_PID)" ]; then \
	   pid=$$(cat "$(SERVER_PID)"); \
	   if kill -0 "$$pid" 2>/dev/null; then \
	     if curl -sf $(API_URL)/health >/dev/null; then echo "Prefect server already running (pid $$pid): UI at http://127.0.0.1:$(PREFECT_PORT)"; exit 0; fi; \
	     echo "pid $$pid in $(SERVER_PID) is alive but $(API_URL) does not answer: make server-stop, or remove the file"; exit 1; \
	   fi; \
	   echo "removing stale $(SERVER_PID) (pid $$pid is not running)"; rm -f "$(SERVER_PID)"; \
	 fi; \
	 PREFECT_HOME="$(PREFECT_HOME)" PREFECT_SERVER_ANALYTICS_ENABLED=$(ANALYTICS) PREFECT_SERVER_API_PORT=$(PREFECT_PORT) \
	   PREFECT_UI_API_URL=$(API_URL) nohup setsid $(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT) \
	   > "$(SERVER_LOG)" 2>&1 < /dev/null & \
	 echo $$! > "$(SERVER_PID)"; \
	 for i in $$(seq 90); do \
	   curl -sf $(API_URL)/health >/dev/null && break; \
	   kill -0 $$(cat "$(SERVER_PID)") 2>/dev/null || break; \
	   sleep 1; \
	 done; \
	 if ! curl -sf $(API_URL)/health >/dev/null; then \
	   echo "the server did not answer on $(API_URL); the end of $(SERVER_LOG):"; tail -n 20 "$(SERVER_LOG)"; exit 1; \
	 fi
	@echo "Prefect server up: UI at http://127.0.0.1:$(PREFECT_PORT), log in $(SERVER_LOG)  (export PREFECT_API_URL=$(API_URL))"

server-stop: setup
	PREFECT_HOME="$(PREFECT_HOME)" $(BIN)/prefect server stop

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

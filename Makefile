# The project's front door: `make help` lists every routine action.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
# Write the dependencies' bytecode at install: where PYTHONDONTWRITEBYTECODE is set (as on these machines),
# every process would otherwise compile mongoeco, FastAPI, pydantic... from source at each start (~1.5 s).
export UV_COMPILE_BYTECODE := 1

UV_VERSION := 0.13.8
# pyenv's shims resolve by .python-version, so ask for 3.13 by name and use its real path.
PYTHON ?= $(shell { python3.13 -c 'import sys; print(sys.executable)' || ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 | tail -n 1; } 2>/dev/null)
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV_STAMP := .venv/.synced
RUN := .venv/bin/python
NODE_TOOLS := openapi/tools
NODE_STAMP := $(NODE_TOOLS)/node_modules/.installed
NODE_BIN := $(NODE_TOOLS)/node_modules/.bin
BUILD := build
# Debian packages the suite drives: Chromium (the docs test; Playwright cannot download a browser here) and wrk
# (the benchmark harness's load generator).
SYSTEM_TOOLS := chromium wrk
FAST := not slow and not e2e and not contract

.PHONY: help install system-deps run test test-fast lint lint-python lint-contract fmt typecheck pytest migrate key-create keys key-revoke openapi contract-diff sdk fuzz bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found (pyenv install 3.13, or set PYTHON=)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV_STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(NODE_STAMP): $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV_STAMP) $(NODE_STAMP) ## install uv (if missing), the locked Python and npm dependencies

run: $(VENV_STAMP) ## serve the API (HOST, PORT, WORKERS, DATA_DIR, MONGODB_URL, LOG_LEVEL)
	exec $(RUN) -m api

system-deps: ## Debian's chromium and wrk for the test suite (installed when missing and run as root on Debian)
	@missing="$$(for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null 2>&1 || printf '%s ' $$tool; done)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "make test needs these programs: $$missing(Debian: sudo apt-get install -y $$missing), then run it again." >&2; \
	  exit 1; \
	fi

test: system-deps lint typecheck pytest ## everything CI checks: lint, types, the whole test suite

test-fast: lint-python typecheck ## the inner loop (under a minute): ruff, mypy, and the tests not marked slow, e2e or contract
	$(RUN) -m pytest -m "$(FAST)" -q -n 2  # both cores: each worker has its own embedded database

lint: lint-python lint-contract ## ruff lint and format check, and the contract's lint

lint-python: $(VENV_STAMP) ## ruff lint and format check
	$(RUN) -m ruff check .
	$(RUN) -m ruff format --check .

lint-contract: $(NODE_STAMP) ## Spectral lint of openapi/openapi.yaml (zero errors, zero warnings)
	$(NODE_BIN)/spectral lint openapi/openapi.yaml --ruleset openapi/spectral.yaml --fail-severity=warn

fmt: $(VENV_STAMP) ## format and auto-fix with ruff
	$(RUN) -m ruff format .
	$(RUN) -m ruff check --fix .

typecheck: $(VENV_STAMP) ## mypy (strict for api/ and models/)
	$(RUN) -m mypy

pytest: $(VENV_STAMP) $(NODE_STAMP) system-deps ## the whole pytest suite
	$(RUN) -m pytest

migrate: $(VENV_STAMP) ## apply the pending data migrations to the configured database (DOWN=1 rolls back one)
	$(RUN) -m api migrate $(if $(DOWN),--down $(DOWN))

key-create: $(VENV_STAMP) ## issue an API key: make key-create TENANT=acme [LABEL="ci pipeline"] (printed once, last line)
	$(RUN) -m api keys create --tenant "$(TENANT)" $(if $(LABEL),--label "$(LABEL)")

keys: $(VENV_STAMP) ## list the API keys (never their secrets): make keys [TENANT=acme]
	$(RUN) -m api keys list $(if $(TENANT),--tenant "$(TENANT)")

key-revoke: $(VENV_STAMP) ## revoke an API key: make key-revoke ID=0123456789abcdef
	$(RUN) -m api keys revoke "$(ID)"

openapi: $(VENV_STAMP) ## rewrite openapi/openapi.yaml from the app (review the diff)
	$(RUN) -m api openapi > openapi/openapi.yaml.tmp && mv openapi/openapi.yaml.tmp openapi/openapi.yaml

contract-diff: $(VENV_STAMP) $(NODE_STAMP) ## fail on a breaking contract change (BASE=ref; default: last v* tag or merge-base)
	$(RUN) openapi/contract_diff.py $(if $(BASE),--base $(BASE))

sdk: $(VENV_STAMP) $(NODE_STAMP) ## generate the Python and TypeScript clients into build/sdk (never committed)
	rm -rf $(BUILD)/sdk/python $(BUILD)/sdk/typescript
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/openapi-python-client generate --path openapi/openapi.yaml \
	  --config openapi/sdk/python.yaml --meta none --output-path $(BUILD)/sdk/python --fail-on-warning
	cd $(NODE_TOOLS) && node_modules/.bin/openapi-ts -f ../sdk/typescript.config.mjs --no-log-file

fuzz: $(VENV_STAMP) ## schemathesis against a live server, more examples than CI (FUZZ_EXAMPLES=1000)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(RUN) -m pytest tests/contract/test_fuzz.py -p no:randomly -q

bench: $(VENV_STAMP) ## benchmark vs the seed service and the raw driver into bench/results/ (BENCH_QUICK=1: < 5 min)
	PYTHON=$(PYTHON) $(RUN) -m bench

clean: ## remove the virtual environments and caches (keeps data/)
	rm -rf .venv $(TOOLS) $(NODE_TOOLS)/node_modules $(BUILD) .pytest_cache .mypy_cache .ruff_cache .hypothesis .schemathesis

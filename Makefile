# The project's front door: `make help` lists every routine action.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

UV_VERSION := 0.13.8
# pyenv's shims resolve by .python-version, so ask for 3.13 by name and use its real path.
PYTHON ?= $(shell { python3.13 -c 'import sys; print(sys.executable)' || ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 | tail -n 1; } 2>/dev/null)
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV_STAMP := .venv/.synced
RUN := .venv/bin/python

.PHONY: help install run test lint fmt typecheck pytest openapi clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found (pyenv install 3.13, or set PYTHON=)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV_STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV_STAMP) ## install uv (if missing) and the locked dependencies into .venv

run: $(VENV_STAMP) ## serve the API (HOST, PORT, WORKERS, DATA_DIR, MONGODB_URL, LOG_LEVEL)
	exec $(RUN) -m api

test: lint typecheck pytest ## everything CI checks: lint, types, the whole test suite

lint: $(VENV_STAMP) ## ruff lint and format check
	$(RUN) -m ruff check .
	$(RUN) -m ruff format --check .

fmt: $(VENV_STAMP) ## format and auto-fix with ruff
	$(RUN) -m ruff format .
	$(RUN) -m ruff check --fix .

typecheck: $(VENV_STAMP) ## mypy (strict for api/ and models/)
	$(RUN) -m mypy

pytest: $(VENV_STAMP) ## the pytest suite
	$(RUN) -m pytest

openapi: $(VENV_STAMP) ## rewrite openapi/openapi.yaml from the app (review the diff)
	$(RUN) -m api.openapi > openapi/openapi.yaml.tmp && mv openapi/openapi.yaml.tmp openapi/openapi.yaml

clean: ## remove the virtual environments and caches (keeps data/)
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache

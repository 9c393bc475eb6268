# Retour — `make demo` serves a seeded demo store, `make test` runs every check on both engines.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/retour_test

# Exit 0 when the PostgreSQL server of the URL in argv[1] answers.
define PG_CHECK
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1]).set(database="postgres")
try:
    with create_engine(url, connect_args={"connect_timeout": 5}).connect() as c:
        c.execute(text("SELECT 1"))
except Exception as error:
    print(f"PostgreSQL check failed: {error.__class__.__name__}: {error}".splitlines()[0], file=sys.stderr)
    sys.exit(1)
endef
export PG_CHECK

.DEFAULT_GOAL := help
.PHONY: help install demo serve test lint typecheck test-sqlite test-postgres browser-deps bench clean lock

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv with the pinned dependencies

demo: $(STAMP) ## Serve the seeded demo store at http://127.0.0.1:8000 (SQLite under ./var)
	$(BIN)/retour demo

serve: $(STAMP) ## Serve without seeding
	$(BIN)/retour db upgrade && $(BIN)/retour serve

lint: $(STAMP) ## ruff (lint + format check)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP) ## mypy (strict on the domain)
	$(BIN)/mypy

CHROMIUM := /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser-deps: $(CHROMIUM) $(AXE) ## Debian's Chromium and axe-core for tests/browser (no browser download)

# Debian's own package (apt-get; sudo when not root), only when it is missing.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

# npm ci when axe-core is missing or package-lock.json is newer; touched, as npm may write the
# lock after the files or keep the dates of the package.
$(AXE): package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

test-sqlite: $(STAMP) browser-deps ## The whole suite on SQLite
	RETOUR_TEST_DATABASE=sqlite $(BIN)/pytest -q

test-postgres: $(STAMP) browser-deps ## The whole suite on PostgreSQL (unreachable: a failure with CI=true)
	@if $(BIN)/python -c "$$PG_CHECK" "$(PG_URL)"; then \
	  echo "RETOUR_TEST_DATABASE=postgresql $(BIN)/pytest -q"; \
	  RETOUR_TEST_DATABASE=postgresql RETOUR_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is unreachable at $(PG_URL): failing (CI=true)" >&2; exit 1; \
	else \
	  echo "WARNING: PostgreSQL is unreachable at $(PG_URL); the PostgreSQL pass was NOT run." >&2; \
	  echo "         Start PostgreSQL or set PG_URL=...; with CI=true this is a failure." >&2; \
	fi

test: browser-deps lint typecheck test-sqlite test-postgres ## Everything CI runs: lint, types, both engines

bench: $(STAMP) ## Benchmarks on PostgreSQL (see bench/README.md; installs wrk if missing)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

lock: ## Re-pin requirements.lock from pyproject.toml
	rm -rf /tmp/retour-lock && $(PYTHON) -m venv /tmp/retour-lock
	/tmp/retour-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/retour-lock/bin/pip freeze --exclude-editable | grep -v '^retour' > requirements.lock

clean: ## Remove the venv and local data
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache node_modules test-artifacts

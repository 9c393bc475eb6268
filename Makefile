# Retour — `make demo` serves a seeded demo store, `make test` runs every check on both engines.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/retour_test

.DEFAULT_GOAL := help
.PHONY: help install demo serve test lint typecheck test-sqlite test-postgres bench clean lock

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

test-sqlite: $(STAMP) ## The whole suite on SQLite
	RETOUR_TEST_DATABASE=sqlite $(BIN)/pytest -q

test-postgres: $(STAMP) ## The whole suite on PostgreSQL (fails if unreachable)
	RETOUR_TEST_DATABASE=postgresql RETOUR_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -q

test: lint typecheck test-sqlite test-postgres ## Everything CI runs: lint, types, both engines

bench: $(STAMP) ## Benchmarks (see bench/README.md)
	$(BIN)/python bench/run.py

lock: ## Re-pin requirements.lock from pyproject.toml
	rm -rf /tmp/retour-lock && $(PYTHON) -m venv /tmp/retour-lock
	/tmp/retour-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/retour-lock/bin/pip freeze --exclude-editable | grep -v '^retour' > requirements.lock

clean: ## Remove the venv and local data
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache

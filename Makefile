# Two commands for a newcomer: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1
PYTEST_ARGS ?=

.PHONY: setup services run test test-postgres lint typecheck importlint check demo migrate clean bench

setup: $(STAMP)  ## Create .venv, install Incasso and its tools, install Debian packages it needs

$(STAMP): pyproject.toml scripts/setup debian-packages.txt
	@PYTHON=$(PYTHON) VENV=$(VENV) scripts/setup
	@touch $(STAMP)

migrate: setup
	@$(BIN)/incasso migrate --no-input -v 0

run: migrate  ## Set up, migrate, load demo data when the database is empty, serve on http://127.0.0.1:8000
	@$(BIN)/incasso demo --seed $(SEED) --if-empty
	@$(BIN)/incasso demo-logins
	@echo "Incasso runs on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Mail the demo sends is written to var/mail/ (EMAIL_BACKEND and EMAIL_FILE_PATH change that)"
	@INCASSO_DEMO_SKIP_SECOND_FACTOR=1 EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend} \
		$(BIN)/incasso runserver --noreload $(HOST):$(PORT)

services:  ## Make sure the local services the tests talk to are up (Redis: the job broker)
	@scripts/ensure-redis

test: setup services  ## Set up and run the whole test suite on the embedded SQLite database
	@$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: setup
	@$(BIN)/mypy incasso config

importlint: setup
	@$(BIN)/lint-imports

check: lint typecheck importlint

clean:
	rm -rf $(VENV) var/incasso.sqlite3*

bench: setup  ## Run the benchmarks; figures go to bench/results/*.json
	@$(BIN)/python -m bench.run $(BENCH)

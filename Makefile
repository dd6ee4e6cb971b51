# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
MAIL_PORT ?= 8025
# Links in mail point at the served app; a TRACKER_BASE_URL in the environment wins.
TRACKER_BASE_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := wsgi

.PHONY: install lock run test test-sqlite test-postgres lint migrate demo clean bench

PIP := $(BIN)/python -m pip --disable-pip-version-check
# The lock files: exact versions with hashes of everything pyproject.toml asks for
# (lock.txt: runtime; dev-lock.txt: runtime and the `dev` extra, the same pins).
LOCK := requirements/lock.txt
DEV_LOCK := requirements/dev-lock.txt
# `make lock` keeps the pins it can; `make lock LOCK_ARGS=--upgrade` (or
# `LOCK_ARGS="--upgrade-package weasyprint"`) moves to newer releases deliberately.
LOCK_ARGS ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)

# Installs exactly the dev lock, then the project itself (editable, no dependencies of its
# own: a dependency missing from the lock fails tests/test_lock.py, not the install).
$(STAMP): pyproject.toml $(DEV_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r $(DEV_LOCK)
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Write requirements/lock.txt and requirements/dev-lock.txt anew from pyproject.toml
## (after a dependency was added, removed or its bounds changed); `make install` follows.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(PIP) install --quiet 'uv>=0.9,<0.14'
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK)

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask network organisations
	$(BIN)/flask demo load

## Set up everything and serve the demo network on http://$(HOST):$(PORT), with the
## scheduler beside it and every mail caught by a local SMTP sink on $(HOST):$(MAIL_PORT)
## (read them in the app under Outbox; nothing leaves the machine).
run: demo
	@echo "Tracker op http://$(HOST):$(PORT), scheduler en lokale mailserver $(HOST):$(MAIL_PORT) (stoppen met Ctrl+C)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python -m aiosmtpd -n -l $(HOST):$(MAIL_PORT) -c aiosmtpd.handlers.Sink & \
	MAIL_SERVER=$(HOST) MAIL_PORT=$(MAIL_PORT) TRACKER_BASE_URL=$(TRACKER_BASE_URL) $(BIN)/flask scheduler & \
	MAIL_SERVER=$(HOST) MAIL_PORT=$(MAIL_PORT) TRACKER_BASE_URL=$(TRACKER_BASE_URL) $(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

## Set up and run the whole suite: SQLite always, PostgreSQL when TEST_DATABASE_URL is set
test: lint test-sqlite test-postgres

# Each pass runs on every core (pytest-xdist): one worker per core, each with its own
# database (tests/conftest.py). `make test TEST_WORKERS=0` runs a pass in one process.
TEST_WORKERS ?= auto
PYTEST_ARGS ?= -n $(TEST_WORKERS) --durations=20
# Runs pytest with PYTEST_ARGS and prints the wall time of the pass ($$pass names it);
# the exit status is pytest's.
TIMED_PYTEST = start=$$(date +%s); $(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	echo "== $$pass: $$(( $$(date +%s) - start )) s (exit $$status)"; exit $$status

test-sqlite: install
	@echo "== SQLite"
	@pass=SQLite; $(TIMED_PYTEST)

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		export TRACKER_TEST_DATABASE_URL="$$TEST_DATABASE_URL"; pass=PostgreSQL; \
		$(TIMED_PYTEST); \
	else \
		echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	fi

## The benchmark of issue 15 (bench/run.py): gunicorn as in production beside a plain-Flask
## ceiling, wrk per endpoint, scale 1 and 100 on SQLite and PostgreSQL (skipped without a
## server on 127.0.0.1:5432), the notifications (bench/notifications.py); writes
## docs/benchmarks.md. Quick: `make bench SCALES=1 BENCH_DB=sqlite BENCH_SECONDS=2`.
## Databases are kept in instance/bench/ (scale 100 takes long to make the first time).
SCALES ?= 1 100
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	BENCH_SCALES="$(SCALES)" $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info

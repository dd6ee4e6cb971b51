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

.PHONY: install run test test-sqlite test-postgres lint migrate demo clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		TRACKER_TEST_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/pytest; \
	else \
		echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	fi

## Measures of the notifications: 1,000 digests queued, delivery rate, SMTP outage
bench: install
	$(BIN)/python bench/notifications.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info

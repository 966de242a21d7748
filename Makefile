# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test chromium translations lint bench-points

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(FLASK) i18n compile

# Debian's chromium for the browser tests (Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# The banner is printed once the site answers /healthz (the server runs in the background and
# is waited on, so Ctrl-C stops it). `make run PORT=8080` picks another port. The
# notifications worker (with the scheduler) runs beside it: on Redis when it answers at
# NOTIFY_REDIS_URL, else in-process from the outbox.
PORT ?= 5000
run: install
	$(FLASK) setup --demo
	@$(FLASK) notifications worker & worker=$$!; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & server=$$!; \
	trap 'kill $$server $$worker 2>/dev/null' INT TERM EXIT; \
	if ! $(BIN)/python -m memberportal.wait_for http://127.0.0.1:$(PORT)/healthz $$server; then \
	  kill $$server $$worker 2>/dev/null; echo "memberportal did not start on port $(PORT)" >&2; exit 1; fi; \
	echo; \
	echo "  memberportal is running on http://127.0.0.1:$(PORT)"; \
	echo "  members:  13800000001 / member-demo-2026   (also 13800000002, lucy@example.com)"; \
	echo "  staff:    http://127.0.0.1:$(PORT)/staff/login"; \
	echo "            owner@example.com / owner-demo-2026"; \
	echo "            manager@example.com / manager-demo-2026"; \
	echo "            cashier@example.com / cashier-demo-2026"; \
	echo; \
	wait $$server

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install-test chromium lint
	$(BIN)/pytest $(PYTEST_ARGS)

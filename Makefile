# Linli 邻里 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
# Links printed on slips and in calendar files point here; set it to the public address.
export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)

CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test test-postgres bench bench-server soak install install-test translations check-translations screenshots clean

$(BIN)/flask: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/flask
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/flask $(COMPILED)
install-test: $(VENV)/.test-deps $(COMPILED) chromium

# Compiled catalogues are rebuilt whenever their .po changes; they are never committed.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(BIN)/flask
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

# After changing user-facing strings: extract, update both catalogues, then translate zh_Hans.
translations: $(BIN)/flask
	$(BIN)/python tools/translations.py update
	$(BIN)/python tools/translations.py check || true

check-translations: $(BIN)/flask
	$(BIN)/python tools/translations.py check

# Debian's Chromium drives the browser tests; Playwright's own download does not work here.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Install Debian's chromium (apt-get install chromium) for the browser tests." >&2; exit 1; fi; \
	fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/ruff check portal tests tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m tools.bench

# The same pages under gunicorn and wrk (Debian's `wrk`, installed here when run as root).
bench-server: install-test
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m tools.bench_server

# Mixed reads and writes for MINUTES under gunicorn; see tools/soak.py for the outage drill.
MINUTES ?= 5
soak: install-test
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m tools.soak --minutes $(MINUTES) $(SOAK_ARGS)

screenshots: install-test
	$(BIN)/python -m tools.screenshots

clean:
	rm -rf $(VENV) instance/linli.db* translations/*/LC_MESSAGES/*.mo

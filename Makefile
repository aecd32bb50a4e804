# Kierrätys: `make run` serves a seeded demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEBUG ?= true
export DEBUG

.PHONY: install messages migrate run test lint format makemessages bench clean oidc-deps oidc-demo

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# Compiled catalogues are committed too, so a machine without gettext still has them.
messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

migrate: install
	$(PY) manage.py migrate --noinput

# One process: the server, with the worker (emails, alerts) and the periodic jobs (expiry,
# reminders, promotion) on its event loop, so their live events reach the open pages even
# with the in-memory channel layer (README, "Live updates under make run"). It restarts on
# code changes; Ctrl-C stops all of it. `make run PORT=8001` if 8000 is taken.
PORT ?= 8000
run: messages migrate
	$(PY) manage.py seed_demo
	$(PY) -m kierratys.server --jobs --reload --port $(PORT)

test: messages oidc-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The SSO tests' real OpenID provider (oidc-provider under Node), from its committed lock
# file; reinstalled only when that changes.
OIDC := tests/support/oidc
$(OIDC)/node_modules/.installed: $(OIDC)/package.json $(OIDC)/package-lock.json
	npm ci --prefix $(OIDC) --no-audit --no-fund
	@touch $@

oidc-deps: $(OIDC)/node_modules/.installed

# The test provider beside `make run`, for trying SSO by hand: issuer http://127.0.0.1:9100,
# client kierratys-demo and the Varha people of $(OIDC)/demo.json (password demo-pass-2026).
oidc-demo: oidc-deps
	node $(OIDC)/server.mjs --port 9100 --config $(OIDC)/demo.json

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract new strings into the fi/sv/en catalogues (needs gettext).
makemessages: install
	$(PY) manage.py makemessages -l fi -l sv -l en --ignore=.venv --ignore=tests --no-obsolete

# Every benchmark against baselines measured in the same run, then the goals table (about
# 15 min; makes its PostgreSQL databases when missing: bench/README.md). One of them:
# `make bench BENCH_ARGS="photos --rounds 30"`; short runs: BENCH_ARGS="all --quick".
bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles

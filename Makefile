# Kierrätys: `make run` serves a seeded demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEBUG ?= true
export DEBUG

.PHONY: install messages migrate run test lint format makemessages bench clean

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

# The worker (emails, alerts) and the reservation jobs run beside the server and stop with it.
run: messages migrate
	$(PY) manage.py seed_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py worker --interval 2 & \
	$(PY) manage.py periodic_jobs --loop 300 & \
	$(PY) manage.py runserver 127.0.0.1:8000

test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

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

bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles

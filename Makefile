# Two commands on a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    install everything, prepare the database and the course, run site + worker
#   make test   install the dev tools (and Debian's chromium), lint, run the whole suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/0
# The shared cache of the services run (production's set-up); a database of its own, since
# every test starts by emptying the cache.
REDIS_CACHE_URL ?= redis://127.0.0.1:6379/14

.PHONY: run test test-services lint format install install-dev browser demo-passwords build-base clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || \
	  { echo "Installing python3.11-venv"; $(SUDO) apt-get update -qq && \
	    $(SUDO) apt-get install -y -qq python3.11-venv || $(SUDO) apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.dev-installed

browser:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

run: install
	$(BIN)/python manage.py setup_local
	./scripts/dev-server.sh

demo-passwords: install
	$(BIN)/python manage.py seed_demo --reset-passwords

build-base: install
	$(BIN)/python -m workers build-base

# bandit: every finding is fixed or justified in place (# nosec BXXX  # why); the lab
# engine (workers/) is checked without B311, its random.Random are seeded for reproducible
# data and it holds no secret. audit_dependencies.py: pip-audit, loud when nothing answered.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/bandit -q -r config course cohorts quizzes labs scripts benchmarks manage.py
	$(BIN)/bandit -q -r workers --skip B311
	$(BIN)/python scripts/audit_dependencies.py

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The lab engine's tests train small models on one thread each: they run on every core
# (at most 4), a test file to a process so each file's trained models are made once.
test: install-dev browser lint
	$(BIN)/pytest --ignore=tests/workers
	$(BIN)/pytest tests/workers -n auto --maxprocesses 4 --dist loadfile

# The tests that touch the database or the broker, again against real PostgreSQL and Redis.
test-services: install-dev
	@$(BIN)/python scripts/require_services.py "$(POSTGRES_URL)" "$(REDIS_URL)"
	DATABASE_URL="$(POSTGRES_URL)" CELERY_BROKER_URL="$(REDIS_URL)" DJANGO_CACHE_URL="$(REDIS_CACHE_URL)" \
	  $(BIN)/pytest -m "not e2e" --ignore=tests/workers -p no:cacheprovider

clean:
	rm -rf var/db.sqlite3* var/test-db-*.sqlite3* var/broker var/log

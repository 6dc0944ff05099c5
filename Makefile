# CCHC: two commands on a fresh machine (Python 3.11+ and make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench install system-deps migrate demo prod clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "CCHC cần Python 3.11 trở lên"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/ensure_system_packages.sh

migrate: install
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=true $(PY) manage.py load_demo

run: demo
	@echo "CCHC: http://127.0.0.1:8000 (Ctrl+C để dừng)"
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: install system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install system-deps
	$(PY) -m bench.run $(BENCH_ARGS)

# Production topology on 127.0.0.1 (nginx TLS -> granian -> PostgreSQL, Redis, task worker):
# https://127.0.0.1:8443/ in the foreground, Ctrl+C stops it. PROD_ARGS=start|stop|status|...
prod: install system-deps
	@bash scripts/prod.sh $(PROD_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

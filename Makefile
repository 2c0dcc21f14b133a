# Two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test` (set up and run every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# What mypy checks (strictly, see [tool.mypy] in pyproject.toml); add packages as they are typed.
MYPY_PATHS ?= salesapp/pricing salesapp/sales/services salesapp/catalog/services.py \
	salesapp/customers/services.py salesapp/documents/services.py salesapp/documents/liveness.py \
	salesapp/documents/mailer.py salesapp/documents/batches.py salesapp/documents/einvoice
PYTEST_XDIST ?= -n 2 --dist loadgroup

.PHONY: run test install install-dev migrate demo lint bench clean worker beat

# Runtime dependencies (requirements.lock) for run/worker/beat; development ones (requirements-dev.lock:
# the runtime pins plus test and lint tools) for test/lint. Both are compiled from pyproject.toml with
# `uv pip compile`, see README.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "salesapp needs Python 3.11 or newer"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@echo "salesapp on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(MYPY_PATHS)

worker: install
	$(VENV)/bin/celery -A salesapp worker --loglevel=info --concurrency=2

beat: install
	$(VENV)/bin/celery -A salesapp beat --loglevel=info

bench: install-dev
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache

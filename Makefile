# Qabyldau — the two commands a person needs: `make run`, `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app run
PYTEST_ARGS ?=

.PHONY: run test test-fast worker i18n i18n-compile install install-serve screenshots bench prod-check mutants

# `make run PORT=8080 HOST=0.0.0.0`: taken from the command line only (zsh
# sets HOST to the machine's name). HOST=0.0.0.0 lets other machines in.
HOST = 127.0.0.1
PORT = 5000
DEMO_PASSWORD = $(or $(INSTANCE_PATH),instance)/demo_password

# Two stamps: serving needs requirements.txt only; the tests, the benchmark and
# the tools need requirements-test.txt (requirements.txt and the test tools).
$(VENV)/.installed-serve: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-serve requirements-test.txt
	$(PY) -m pip install -q -r requirements-test.txt
	@touch $@

install-serve: $(VENV)/.installed-serve
install: $(VENV)/.installed-test  # a full development environment

i18n-compile: install-serve
	@$(VENV)/bin/pybabel -q compile -d babel -f
	@$(VENV)/bin/pybabel -q compile -d babel/fab -f

# Serve the panel on the embedded SQLite database with the demo data. The
# set-up steps log warnings and errors only; demo load prints the logins.
run: i18n-compile
	@LOG_LEVEL=WARNING $(FLASK) db upgrade
	@LOG_LEVEL=WARNING $(FLASK) demo load --password-file "$(DEMO_PASSWORD)" --url "http://$(HOST):$(PORT)"
	@$(FLASK) run --host "$(HOST)" --port "$(PORT)"

# The whole suite: domain, models, views, API on SQLite and PostgreSQL, and a
# real-browser smoke test. Needs PostgreSQL (TEST_PG_URL) and chromium.
test: install i18n-compile
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: install i18n-compile
	$(PY) -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

worker: install-serve
	$(FLASK) worker

# Extract strings and update the kk, ru, en catalogues.
i18n: install-serve i18n-compile
	$(VENV)/bin/pybabel extract -F babel/babel.cfg -k lazy_gettext -k _l -k N_ -o babel/messages.pot --no-location --sort-output --project Qabyldau .
	$(VENV)/bin/pybabel update -i babel/messages.pot -d babel --no-fuzzy-matching
	$(PY) -m app.i18n_tools fill-english babel/en/LC_MESSAGES/messages.po
	$(PY) -m app.i18n_tools missing babel/*/LC_MESSAGES/messages.po babel/fab/*/LC_MESSAGES/messages.po

screenshots: install i18n-compile
	QAB_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -m e2e -p no:xdist tests/e2e

# The scale benchmark (issue #8): N appeals (default 1,000,000) on PostgreSQL
# and SQLite, the panel against a stock FAB ModelView in the same run;
# writes docs/performance.md. REUSE=1 keeps a database that already holds N.
N ?= 1000000
BENCH_ARGS ?=
bench: install i18n-compile
	$(PY) -m bench.run --db postgresql --n $(N) $(if $(REUSE),--reuse) $(BENCH_ARGS)
	$(PY) -m bench.run --db sqlite --n $(N) $(if $(REUSE),--reuse) $(BENCH_ARGS)
	$(PY) -m bench.report

# The production set-up of docs/deployment.md on loopback: a fresh PostgreSQL
# database, gunicorn (deploy/gunicorn.conf.py, 2 workers) and a separate rq
# worker on Redis, walked through over HTTP; everything is removed afterwards.
prod-check: install i18n-compile
	$(PY) deploy/prod_check.py

# Every guard of the domain fires in a test: each raise is removed in turn and the tests must fail.
mutants: install
	$(PY) tests/mutants.py app/domain/workflow.py tests/domain/test_workflow.py
	$(PY) tests/mutants.py app/domain/receptions.py tests/receptions/test_domain.py
	$(PY) tests/mutants.py app/domain/higher.py tests/domain/test_higher.py

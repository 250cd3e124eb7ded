# Qabyldau — the two commands a person needs: `make run`, `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app run
PYTEST_ARGS ?=

.PHONY: run test test-fast worker i18n i18n-compile install screenshots bench prod-check mutants

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

i18n-compile: install
	$(VENV)/bin/pybabel compile -d babel -f > /dev/null 2>&1
	$(VENV)/bin/pybabel compile -d babel/fab -f > /dev/null 2>&1

# Serve the panel on the embedded SQLite database with the demo data.
run: i18n-compile
	mkdir -p instance
	test -s instance/demo_password || $(PY) -c "import secrets; print(secrets.token_urlsafe(9))" > instance/demo_password
	$(FLASK) db upgrade
	$(FLASK) roles sync > /dev/null
	$(FLASK) demo load --password "$$(cat instance/demo_password)"
	@echo
	@echo "  Qabyldau: http://127.0.0.1:5000   (logins above, password in instance/demo_password)"
	@echo
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite: domain, models, views, API on SQLite and PostgreSQL, and a
# real-browser smoke test. Needs PostgreSQL (TEST_PG_URL) and chromium.
test: i18n-compile
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: i18n-compile
	$(PY) -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

worker: install
	$(FLASK) worker

# Extract strings and update the kk, ru, en catalogues.
i18n: install i18n-compile
	$(VENV)/bin/pybabel extract -F babel/babel.cfg -k lazy_gettext -k _l -k N_ -o babel/messages.pot --no-location --sort-output --project Qabyldau .
	$(VENV)/bin/pybabel update -i babel/messages.pot -d babel --no-fuzzy-matching
	$(PY) -m app.i18n_tools fill-english babel/en/LC_MESSAGES/messages.po
	$(PY) -m app.i18n_tools missing babel/*/LC_MESSAGES/messages.po babel/fab/*/LC_MESSAGES/messages.po

screenshots: i18n-compile
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
prod-check: i18n-compile
	$(PY) deploy/prod_check.py

# Every guard of the domain fires in a test: each raise is removed in turn and the tests must fail.
mutants: install
	$(PY) tests/mutants.py app/domain/workflow.py tests/domain/test_workflow.py
	$(PY) tests/mutants.py app/domain/receptions.py tests/receptions/test_domain.py
	$(PY) tests/mutants.py app/domain/higher.py tests/domain/test_higher.py

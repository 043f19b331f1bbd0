# IMG Portal: `make run` sets up and serves on 127.0.0.1:8000 (SQLite);
# `make test` sets up and runs the whole test suite.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test setup venv lint security format ci benchmark bench load wrk chromium vnu lighthouse clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

setup: venv
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py createcachetable
	DJANGO_DEBUG=1 $(PY) manage.py setup_curators
	DJANGO_DEBUG=1 $(PY) manage.py load_curated_content

run: setup
	@echo "IMG Portal on http://127.0.0.1:$(PORT)/ (verification and reminder emails print below)"
	PY=$(PY) PORT=$(PORT) bin/dev-server

chromium:
	@command -v chromium >/dev/null 2>&1 || bin/install-chromium || echo '*** WARNING: Chromium could not be installed; browser tests will be SKIPPED (they fail in CI). ***'

# The Nu HTML Checker (npm package vnu-jar, pinned in package-lock.json; needs Java 17+).
# --ignore-scripts: its postinstall would try to download a Java runtime; the jar is in the package.
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

vnu: $(VNU_JAR)

# The suite runs in TEST_WORKERS processes (pytest-xdist; each has its own test database and
# browser). 2 matches this project's machines; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: venv chromium vnu
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	IMGPORTAL_TESTING=1 $(PY) manage.py check
	IMGPORTAL_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

# Static security checks (offline): bandit on the project's Python, then the project's own
# semgrep rules (proved by their test cases first). Exceptions are justified inline.
# semgrep and its 66 dependencies live in their own venv (requirements-semgrep.txt says why).
SEMGREP_VENV := .venv-semgrep
$(SEMGREP_VENV)/.installed: requirements-semgrep.txt
	@test -x $(SEMGREP_VENV)/bin/python || "$$(bin/find-python)" -m venv $(SEMGREP_VENV)
	$(SEMGREP_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SEMGREP_VENV)/bin/python -m pip install --quiet -r requirements-semgrep.txt
	@touch $@

SEMGREP_OFFLINE := --metrics=off --disable-version-check --config .semgrep/rules/
security: venv $(SEMGREP_VENV)/.installed
	$(VENV)/bin/bandit -q -c pyproject.toml -r .
	$(SEMGREP_VENV)/bin/semgrep --test $(SEMGREP_OFFLINE) .semgrep/cases/
	$(SEMGREP_VENV)/bin/semgrep scan $(SEMGREP_OFFLINE) --error --quiet .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

ci: lint security test

# Benchmarks need PostgreSQL (full-text search); they use a throwaway database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/imgportal_bench
benchmark: venv
	@psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "CREATE DATABASE imgportal_bench" 2>/dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) IMGPORTAL_TESTING=1 $(PY) manage.py migrate -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) IMGPORTAL_TESTING=1 $(PY) manage.py benchmark

# `make bench`: gunicorn (production settings) + wrk at 10,000 members and 100,000 resources in a
# throwaway PostgreSQL database (BENCH_DATABASE_URL, name bench_*; dropped at the end).
# `make load`: the dashboard and the directory at 64 connections for 60 s. See docs/performance.md.
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/bench_imgportal
wrk:
	@command -v wrk >/dev/null 2>&1 || bin/install-wrk

bench: venv wrk
	BENCH_DATABASE_URL=$(BENCH_URL) $(PY) bench/run.py

load: venv wrk
	BENCH_DATABASE_URL=$(BENCH_URL) $(PY) bench/run.py --load

# `make lighthouse`: Lighthouse 12 (pinned in bench/lighthouse/package-lock.json, apart from the
# root package.json so that `make test`'s npm ci stays vnu-jar only; 13.x needs Node >= 22.19)
# on home, directory and dashboard, mobile and desktop, against gunicorn in production settings
# on a throwaway SQLite database. Fails under 1.0 or on a render-blocking resource.
# LIGHTHOUSE_RUNS=1 for a quick look (the median of 3 runs counts by default).
LIGHTHOUSE_BIN := bench/lighthouse/node_modules/.bin/lighthouse
LIGHTHOUSE_RUNS ?= 3
$(LIGHTHOUSE_BIN): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

lighthouse: venv chromium $(LIGHTHOUSE_BIN)
	$(PY) bench/lighthouse.py --runs $(LIGHTHOUSE_RUNS)

clean:
	rm -rf $(VENV) $(SEMGREP_VENV) staticfiles .pytest_cache node_modules bench/lighthouse/node_modules

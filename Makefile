# Two commands set everything up on a fresh machine:
#   make run   - create .venv if missing, build the bundled demo data into warehouse.duckdb
#   make test  - create .venv if missing, lint (sqlfluff, DAG rules, dbt-score) and run every test (pytest, dbt build)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_RAW ?= data/demo
DB ?= warehouse.duckdb
# DuckDB file the dbt templater may open while linting: per checkout (a shared /tmp path
# collides with a lint running in another checkout: DuckDB file lock).
LINT_DB ?= $(abspath $(VENV))/lint.duckdb

.PHONY: run test test-deps lint pytest bench-quick bench venv demo-data lock clean bi publish

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/csw build --raw-dir $(DEMO_RAW) --db $(DB)

test: $(STAMP) test-deps lint pytest bench-quick

# Headless Chromium for the report test (Debian packages; needs root). No-op when present.
test-deps:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver fonts-noto-cjk >/dev/null; }

# The manifest gates first (fast; docs/quality_gates.md): DAG rules (dbt parse ->
# target/manifest.json) and dbt-score on that manifest (thresholds in pyproject.toml),
# then sqlfluff.
lint: $(STAMP)
	CSW_DB_PATH=$(LINT_DB) $(BIN)/python -m csw.quality --target-path target
	$(BIN)/dbt-score lint --manifest target/manifest.json
	CSW_DB_PATH=$(LINT_DB) $(BIN)/sqlfluff lint models tests analyses

pytest: $(STAMP)
	$(BIN)/python -m pytest

# `csw bench --quick`: 1k accounts x 12 months (floor, full build, naive spine, incremental day
# checked against a full refresh), ~2 min. Writes only .bench/quick/ (ignored), never BENCHMARKS.md.
bench-quick: $(STAMP)
	$(BIN)/csw bench --quick

# The real benchmark (1k, 10k, 100k accounts x 36 months; 30-40 min on 2 cores): rewrites the
# `csw bench` section of BENCHMARKS.md and benchmarks/results.json.
bench: $(STAMP)
	$(BIN)/csw bench --sizes 1000,10000,100000 --months 36

# Publish the warehouse for BI tools (docs/publishing.md); builds the demo first when missing.
publish: $(STAMP)
	test -f $(DB) || $(BIN)/csw build --raw-dir $(DEMO_RAW) --db $(DB)
	$(BIN)/csw publish --db $(DB) --out published

# Apache Superset on the published snapshot with the dashboards of bi/superset/dashboards.yml
# (own venv .venv-superset, installed on first use; a free 127.0.0.1 port, throwaway metadata).
# Prints the URL, user and password; Ctrl-C stops it.
bi: $(STAMP)
	test -e published/current || $(MAKE) publish
	$(BIN)/csw bi --published published

# Regenerate the bundled demo dataset (deterministic; a test checks it is up to date).
demo-data: $(STAMP)
	rm -rf $(DEMO_RAW)
	$(BIN)/csw generate --out $(DEMO_RAW) --accounts 200 --months 24 --seed 42

# Re-pin every transitive dependency after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^pip==' > requirements.lock

clean:
	rm -rf target target_* logs $(DB) $(DB).wal

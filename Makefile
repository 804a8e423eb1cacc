# Two commands set everything up on a fresh machine:
#   make run   - create .venv if missing, build the bundled demo data into warehouse.duckdb
#   make test  - create .venv if missing, lint (sqlfluff, DAG rules, dbt-score) and run every test (pytest: dbt
#                builds, csw bench --quick in test_bench); lint and pytest (2 workers) run at the same time
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
# pytest-xdist workers of `make test` (0: every test in the one pytest process).
PYTEST_WORKERS ?= 2
# Each part of `make test` prints its wall and CPU time (.ci/timed); `make test` collects them in
# this file and prints it at the end (BENCHMARKS.md, "CI timings"). logs/ is ignored by git.
TIMINGS ?= logs/make_test_timings.txt
TIMED := $(PYTHON) .ci/timed

.PHONY: run test test-deps lint pytest bench-quick bench venv demo-data lock clean bi publish

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(TIMED) "venv: pip" $(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(TIMED) "venv: install" $(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/csw build --raw-dir $(DEMO_RAW) --db $(DB)

# venv and test-deps first, then lint and pytest in parallel (they share no files: lint alone uses
# target/, each pytest worker and each bench step has its own dbt target path).
# Make waits for the running parts and exits non-zero when any part failed; each part's output
# is printed in one block when it ends (--output-sync), then the timings of every part.
test:
	@mkdir -p $(dir $(TIMINGS)) && : > $(TIMINGS); rc=0; \
	export CSW_TIMINGS=$(abspath $(TIMINGS)); \
	$(MAKE) --no-print-directory venv test-deps && \
	$(MAKE) --no-print-directory -j2 --output-sync=target lint pytest || rc=$$?; \
	printf '\nmake test, per part (wall; CPU of the part and its children; load average at start -> end):\n'; \
	cat $(TIMINGS); exit $$rc

# Headless Chromium for the report test (Debian packages; needs root). No-op when present.
test-deps:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || $(TIMED) test-deps $(SHELL) -c '\
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver fonts-noto-cjk >/dev/null'

# The manifest gates first (fast; docs/quality_gates.md): DAG rules (dbt parse ->
# target/manifest.json) and dbt-score on that manifest (thresholds in pyproject.toml),
# then sqlfluff.
lint: $(STAMP)
	CSW_DB_PATH=$(LINT_DB) $(TIMED) "lint: DAG rules" $(BIN)/python -m csw.quality --target-path target
	$(TIMED) "lint: dbt-score" $(BIN)/dbt-score lint --manifest target/manifest.json
	CSW_DB_PATH=$(LINT_DB) $(TIMED) "lint: sqlfluff" $(BIN)/sqlfluff lint models tests analyses

# Every test module is one xdist group (tests/python/conftest.py: modules sharing a fixture or
# a lock are one group, the slowest start first); --durations=40 (pyproject.toml) lists the slowest.
pytest: $(STAMP)
	$(TIMED) pytest $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# `csw bench --quick`: 1k accounts x 12 months (floor, full build, naive spine, incremental day
# checked against a full refresh), ~2 min. Writes only .bench/quick/ (ignored), never BENCHMARKS.md.
# `make test` runs the same (tests/python/test_bench.py, which also checks its results).
bench-quick: $(STAMP)
	$(TIMED) bench-quick $(BIN)/csw bench --quick

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

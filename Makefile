# wattlake: `make help` lists the targets. Every target installs what it needs first (make setup)
# and can be run again safely.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
DBT := $(CURDIR)/$(VENV)/bin/dbt
# dbt runs inside dbt_project/, where dbt_project.yml and profiles.yml live.
IN_DBT := cd dbt_project &&
INSTALLED := $(VENV)/.installed

# Optional .env (see .env.example): libpq variables for your own PostgreSQL.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif

export PYTHONPATH := $(CURDIR)
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project

DOCS_PORT ?= 8080
DASHBOARD_PORT ?= 8501
STANDIN_PORT ?= 8765
# The offline demo: the stand-in serves sample data; these months cover a whole winter.
DEMO_START ?= 2024-10-01
DEMO_END ?= 2025-04-01
STANDIN_URL := http://127.0.0.1:$(STANDIN_PORT)
DEMO_ENV := SOURCES__ECO2MIX__BASE_URL=$(STANDIN_URL) \
	SOURCES__OPEN_METEO__BASE_URL=$(STANDIN_URL) \
	SOURCES__OPEN_METEO__FORECAST_BASE_URL=$(STANDIN_URL) \
	SOURCES__OPEN_METEO__PACING=off \
	SOURCES__START_DATE=$(DEMO_START) SOURCES__END_DATE=$(DEMO_END)

# Scheduled builds leave out dbt's unit tests, as dbt advises: their inputs are fixed, they prove
# the SQL, not the data. `make test`, `make demo` and a plain `dbt build` run them.
DBT_BUILD := build --exclude-resource-type unit_test
# The dashboard's read-only role: created before dbt grants it the marts, its password kept out
# of dbt (extract/reader_role.py, docs/security.md).
READER_ROLE := $(PY) -m extract.reader_role
# Every target that writes to the warehouse runs holding the run lock (docs/operations.md): a
# second run waits WATTLAKE_LOCK_WAIT_SECONDS (default 0), then fails in one line.
LOCKED := $(PY) -m extract.lock --

.PHONY: help setup db db-stop extract transform docs docs-generate dashboard demo run test lint \
	format clean reset bench bench-quick new-source setup-spark publish test-spark bench-spark \
	demo-spark run-spark spark-thrift locked-demo locked-run locked-reset locked-demo-spark locked-run-spark

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

setup: $(INSTALLED) ## Create .venv and install the pinned requirements
$(INSTALLED): requirements.txt
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

SPARK_INSTALLED := $(VENV)/.spark-installed

setup-spark: $(SPARK_INSTALLED) ## Big-data mode: Java (Debian's openjdk-17-jre-headless) and requirements-spark.txt
$(SPARK_INSTALLED): requirements.txt requirements-spark.txt | $(INSTALLED)
	@command -v java >/dev/null || { echo "Installing Java (openjdk-17-jre-headless) from Debian"; \
		apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@echo "Installing pyspark and dbt-spark (the first time, pip builds pyspark's wheel: minutes)"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

db: setup ## Start the embedded PostgreSQL (or check the one PGHOST names)
	@$(PY) -m extract.warehouse start

db-stop: setup ## Stop the embedded PostgreSQL
	@$(PY) -m extract.warehouse stop

# TARGET=lake: load Parquet files into data/lake/raw/ (WATTLAKE_LAKE_DIR) instead of PostgreSQL.
TARGET ?= $(or $(WATTLAKE_TARGET),postgres)
extract: $(if $(filter lake,$(TARGET)),setup,db) ## Fetch into data/raw/, load into schema raw (SOURCE=name: one; TARGET=lake: Parquet lake)
	WATTLAKE_TARGET=$(TARGET) $(PY) -m extract $(SOURCE)

# DBT_TARGET=spark: the same build on Apache Spark (make setup-spark), reading the Parquet lake
# WATTLAKE_LAKE_DIR, its state (warehouse dir, Derby metastore) under WATTLAKE_SPARK_DIR
# (dbt_project/README.md). PostgreSQL is then neither needed nor touched.
DBT_TARGET ?= dev
WATTLAKE_LAKE_DIR ?= $(CURDIR)/data/lake
WATTLAKE_SPARK_DIR ?= $(CURDIR)/.local/spark
export DBT_TARGET WATTLAKE_LAKE_DIR WATTLAKE_SPARK_DIR
ON_SPARK = $(filter spark,$(DBT_TARGET))

# After a successful build, make transform keeps its manifest as dbt's --state, one per warehouse
# and project settings (dbt cannot see a changed var, so dbt_project.yml is part of the name).
# The next make transform then builds only selector new_data (dbt_project/selectors.yml): what
# new raw rows or a changed project can change. FULL=1 (or no state yet) builds everything.
ifndef DBT_STATE
DBT_STATE := $(CURDIR)/.local/dbt-state/$(if $(ON_SPARK),spark-$(or $(SPARK_THRIFT_HOST),session)-$(notdir \
	$(WATTLAKE_SPARK_DIR)),pg-$(or $(PGHOST),127.0.0.1)-$(or $(PGPORT),54320)-$(or $(PGDATABASE),wattlake))-$(shell \
	cat dbt_project/dbt_project.yml requirements.txt | sha1sum | cut -c1-12)
endif
NEW_DATA := $(if $(and $(wildcard $(DBT_STATE)/manifest.json),$(if $(FULL),,yes)),--selector new_data --state $(DBT_STATE))
# Run from dbt_project/ once a build has succeeded, under the run lock: keep its manifest (atomically).
SAVE_STATE = mkdir -p $(DBT_STATE) && cp $${DBT_TARGET_PATH:-target}/manifest.json $(DBT_STATE)/manifest.json.tmp \
	&& mv $(DBT_STATE)/manifest.json.tmp $(DBT_STATE)/manifest.json

transform: $(if $(ON_SPARK),setup-spark,db) ## dbt build: seeds, staging, intermediate, marts and their data tests; after a first build only what new data can change (FULL=1: all; DBT_TARGET=spark: on Spark)
	$(if $(ON_SPARK),mkdir -p $(WATTLAKE_SPARK_DIR),$(READER_ROLE))
	$(IN_DBT) $(if $(ON_SPARK),$(PY) -m extract.lock --warehouse-optional --,$(LOCKED)) \
		bash -c '$(DBT) $(DBT_BUILD) $(NEW_DATA) && $(SAVE_STATE)'

# Every data test over every row: a build's own tests see only its window (macros/test_window.sql).
# Reads the warehouse, builds nothing. Run it weekly and after a bulk reload.
.PHONY: verify
verify: db ## All data tests over all rows, no window (weekly, after a bulk reload); builds nothing
	$(IN_DBT) $(DBT) test --exclude-resource-type unit_test --vars '{test_full_history: true}'

docs-generate: db
	$(IN_DBT) $(DBT) docs generate

docs: docs-generate ## Generate the dbt docs site and serve it on DOCS_PORT (8080)
	@echo "dbt docs: http://127.0.0.1:$(DOCS_PORT)  (Ctrl+C to stop)"
	$(IN_DBT) $(DBT) docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

dashboard: db ## Run the Streamlit dashboard on DASHBOARD_PORT (8501)
	$(VENV)/bin/streamlit run dashboard/streamlit_app.py --server.port $(DASHBOARD_PORT) --server.address 127.0.0.1 \
		--server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer

demo: db ## The whole chain offline: stand-in sources → extract → dbt build → docs
	@$(LOCKED) $(MAKE) --no-print-directory locked-demo

locked-demo:
	@mkdir -p .local; $(PY) -m tools.standin --port $(STANDIN_PORT) > .local/standin.log 2>&1 & \
		standin=$$!; trap 'kill $$standin 2>/dev/null' EXIT; \
		$(PY) -m tools.standin.wait $(STANDIN_URL) && \
		$(DEMO_ENV) $(PY) -m extract && $(READER_ROLE) && \
		($(IN_DBT) $(DBT) build --full-refresh && $(SAVE_STATE) && $(DBT) docs generate)
	@echo
	@echo "Demo ready (sample data $(DEMO_START) → $(DEMO_END), made by tools/standin/)."
	@echo "  Dashboard: make dashboard   then open http://127.0.0.1:$(DASHBOARD_PORT)"
	@echo "  dbt docs:  make docs        then open http://127.0.0.1:$(DOCS_PORT)"

run: db ## The whole chain against the real services (needs internet)
	@$(LOCKED) $(MAKE) --no-print-directory locked-run

locked-run:
	$(PY) -m extract --check-network
	$(READER_ROLE)
	$(IN_DBT) $(DBT) $(DBT_BUILD) $(NEW_DATA) && $(SAVE_STATE)
	$(IN_DBT) $(DBT) docs generate
	@echo "Done. Dashboard: make dashboard   dbt docs: make docs"

# Big-data mode (docs/scale-out.md): the marts dbt built on Spark, copied into PostgreSQL's marts
# in one transaction (extract/publish.py), with the reader role's grants: the dashboard is unchanged.
publish: db ## Copy the marts dbt built on Spark into PostgreSQL's marts, all at once (extract/publish.py)
	$(READER_ROLE)
	$(LOCKED) $(PY) -m extract.publish

# Big-data mode, whole chains: the same steps as demo and run, with the lake instead of schema
# raw and Spark instead of PostgreSQL for dbt; publish then serves the marts to the same
# dashboard. Unit tests are left to make test-spark (they prove SQL, and cost minutes on Spark).
SPARK_BUILD := $(IN_DBT) $(DBT) $(DBT_BUILD) --target spark

demo-spark: setup-spark db ## demo on Spark: stand-in → Parquet lake → dbt on Spark → publish into marts
	@$(LOCKED) $(MAKE) --no-print-directory locked-demo-spark

locked-demo-spark:
	@mkdir -p .local; $(PY) -m tools.standin --port $(STANDIN_PORT) > .local/standin.log 2>&1 & \
		standin=$$!; trap 'kill $$standin 2>/dev/null' EXIT; \
		$(PY) -m tools.standin.wait $(STANDIN_URL) && WATTLAKE_TARGET=lake $(DEMO_ENV) $(PY) -m extract
	$(SPARK_BUILD) --full-refresh
	$(READER_ROLE)
	$(PY) -m extract.publish
	@echo
	@echo "Demo on Spark ready (sample data $(DEMO_START) → $(DEMO_END), lake in data/lake/)."
	@echo "  Dashboard: make dashboard   then open http://127.0.0.1:$(DASHBOARD_PORT)"

spark-thrift: setup-spark ## A local Spark Thrift server for dbt's thrift method (SPARK_THRIFT_PORT, default 10000; docs/scale-out.md)
	$(PY) -m tools.spark_thrift

run-spark: setup-spark db ## run on Spark: real services → Parquet lake → dbt on Spark → publish (needs internet)
	@$(LOCKED) $(MAKE) --no-print-directory locked-run-spark

locked-run-spark:
	WATTLAKE_TARGET=lake $(PY) -m extract --check-network
	$(SPARK_BUILD)
	$(READER_ROLE)
	$(PY) -m extract.publish
	@echo "Done. Dashboard: make dashboard"

bench: db ## Measure the whole chain on full-history data; rewrites docs/benchmarks.md between its bench markers
	$(PY) -m tools.bench.bench_chain

bench-quick: db ## The same on two months, into .local/bench/ (checks the harness; CI runs it)
	$(PY) -m tools.bench.bench_chain --quick

bench-spark: setup-spark db ## Big-data mode: lake vs PostgreSQL load, full and incremental builds on both engines, memory; into docs/benchmarks.md (QUICK=1: a month, into .local/bench/)
	$(PY) -m tools.bench.bench_spark $(if $(QUICK),--quick)

new-source: setup ## Scaffold a source: NAME=x KIND=csv|api [SAMPLE=file KEY=a,b ...] (docs/add-a-source.md)
	@[ -n "$(NAME)" ] && [ -n "$(KIND)" ] || { \
		echo "usage: make new-source NAME=tides KIND=csv [SAMPLE=tides.csv KEY=id DELIMITER=';']"; exit 2; }
	$(PY) -m tools.scaffold "$(NAME)" --kind "$(KIND)" \
		$(if $(SAMPLE),--sample "$(SAMPLE)") $(if $(KEY),--key "$(KEY)") \
		$(if $(DELIMITER),--delimiter "$(DELIMITER)") $(if $(RECORDS_PATH),--records-path "$(RECORDS_PATH)")

lint: db ## ruff, mypy, file and function sizes, then sqlfluff on the dbt SQL (its dbt templater needs the database)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m tools.check_size
	$(IN_DBT) $(CURDIR)/$(VENV)/bin/sqlfluff lint --processes 2 models tests/*.sql

format: setup ## Reformat the Python code with ruff (for SQL: cd dbt_project && sqlfluff fix models)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint ## Lint, then every test (unit, end-to-end chain on the embedded server and on PG*)
	$(PY) -m pytest --ignore=tests/spark

# Big-data mode's tests start JVMs (minutes on 2 cores), so they are their own target.
test-spark: setup-spark db ## Big-data mode: publish from real Spark tables, and the Spark = PostgreSQL parity on a month
	$(PY) -m pytest tests/spark

reset: setup ## Delete ALL data: landing zone, dlt state, the warehouse's schemas (asks first)
	@if [ "$${CONFIRM:-}" != yes ]; then \
		read -r -p "Delete data/, .local/ (dlt state, embedded database) and the warehouse schemas? [y/N] " answer; \
		[ "$$answer" = y ] || { echo "Nothing deleted."; exit 1; }; fi
	@$(PY) -m extract.lock --warehouse-optional -- $(MAKE) --no-print-directory locked-reset

locked-reset:
	@if [ -n "$${PGHOST:-}" ]; then $(PY) -m extract.warehouse drop-schemas; \
		else $(PY) -m extract.warehouse stop; fi
	rm -rf data .local dbt_project/target dbt_project/logs
	@echo "Reset done: run make demo or make run to load again."

clean: ## Delete dbt's target/ and logs/ and Python caches (keeps data and database)
	rm -rf dbt_project/target dbt_project/logs .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

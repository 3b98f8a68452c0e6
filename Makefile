# Hub Portal: one-word commands for developers and CI.
# `make run` serves the whole portal with demo data on http://127.0.0.1:8000.

VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint migrate seed clean bench bench-upload bench-rollup bench-summaries bench-reminders load backup restore

# The virtualenv is built from the pinned requirements, and rebuilt when either
# file changes: the stamp files record the last successful install.
$(BIN)/python:
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Local commands run in debug mode unless told otherwise, so they need no secret key.
run migrate seed lint: export DJANGO_DEBUG ?= true

run: migrate
	$(MANAGE) seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" PYTHONUNBUFFERED=1 $(BIN)/honcho start -f Procfile.dev

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run

migrate: $(VENV)/.installed
	$(MANAGE) migrate

seed: migrate
	$(MANAGE) seed_demo

clean:
	rm -rf var staticfiles

# `make bench`: page timings on PostgreSQL (bench/README.md). Loads synthetic data at
# scale 1 and 2 (generate_scale_data) into hubportal_bench and hubportal_bench_scale2,
# reusing a load already there; times the pages in PAGES (bench/run.py) in-process with
# DEBUG off (p50/p95, queries per request, the same at every scale), each request after one
# to a floor (the password change page) by the same client, and gives each p95 as a
# multiple of the floor's; prints one JSON object last. BENCH_SCALES=1,2,4 adds scales.
# Not part of `make test`.
bench: export DJANGO_SETTINGS_MODULE = bench.settings
bench: export BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hubportal_bench

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# `make bench-upload`: how long a 100,000-row upload takes to check and to import on
# PostgreSQL (bench/upload.py). Drops and recreates hubportal_bench_upload
# (BENCH_UPLOAD_DATABASE_URL), runs the functions the Celery tasks run, and prints each
# phase's time and peak memory, then one JSON object last. Not part of `make test`.
bench-upload: export DJANGO_SETTINGS_MODULE = bench.settings

bench-upload: $(VENV)/.installed-dev
	$(BIN)/python bench/upload.py

# `make bench-rollup`: the nightly roll-up's wall time, peak memory and ratio to the plain
# SQL it rests on, at scale 1 and 2 in the page bench's databases (bench/rollup.py).
# Targets at scale 1: <= 30 s, <= 3 x the SQL time, <= 300 MB. Not part of `make test`.
bench-rollup: export DJANGO_SETTINGS_MODULE = bench.settings
bench-rollup: export BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hubportal_bench

bench-rollup: $(VENV)/.installed-dev
	$(BIN)/python bench/rollup.py

# `make bench-summaries`: the public learning pages (list, filters, a summary, its changes, the
# feed, the PDF) at 50 and 500 published summaries, and a publication e-mailed to 1,000
# subscribers, on a fresh PostgreSQL database (bench/summaries.py). Not part of `make test`.
bench-summaries: export DJANGO_SETTINGS_MODULE = bench.settings

bench-summaries: $(VENV)/.installed-dev
	$(BIN)/python bench/summaries.py

# `make bench-reminders`: send_reminders over every hub's every indicator at scale 1 (25,000), in the
# page bench's database (bench/reminders.py): the people it reminds are made for the run and removed
# after. Prints seconds, peak MB, reminders sent and the second run's (0) as one JSON object last.
# Targets: <= 60 s, <= 200 MB. Not part of `make test`.
bench-reminders: export DJANGO_SETTINGS_MODULE = bench.settings
bench-reminders: export BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hubportal_bench

bench-reminders: $(VENV)/.installed-dev
	$(BIN)/python bench/reminders.py

# `make load`: 50 simulated users (hub staff, evaluators, AHSN admins, the public) for 2 minutes
# against gunicorn (3 workers), PostgreSQL, Redis and a Celery worker, all on 127.0.0.1, with
# Locust headless (bench/load/). Drops and recreates hubportal_load (LOAD_DATABASE_URL); prints
# requests, errors, p50/p95 per page and lost writes as one JSON object last. Not part of `make test`.
load: $(VENV)/.installed-dev
	$(BIN)/python bench/load/run.py

# `make backup`: a consistent, dated copy of the database in $(BACKUP_DIR) (default var/backups/):
# pg_dump for PostgreSQL (DATABASE_URL), SQLite's online backup API for the embedded file; a
# manifest beside it records its SHA-256 and the newest nightly report's content hash.
# `make restore INTO=<new database name, postgres:// URL or new .sqlite3 file> [BACKUP=<file>]`
# restores a backup (default: the newest) there and checks that the copy rebuilds that report
# with the same hash (manage.py restore_check). Neither ever writes to the portal's own database.
BACKUP_DIR ?= var/backups

backup: $(VENV)/.installed
	$(MANAGE) backup --dir $(BACKUP_DIR)

restore: $(VENV)/.installed
	$(if $(INTO),,$(error Say where to restore: make restore INTO=hubportal_restored, or INTO=var/restored.sqlite3))
	$(MANAGE) restore $(BACKUP) --into $(INTO) --dir $(BACKUP_DIR)

# The documented commands: install, demo, test, lint, bench (README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL := $(DATABASE_URL)

.PHONY: install demo test lint types browser-deps ocr-deps pdf-deps openapi lock bench docs clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

build/static/vendor/.built: package.json package-lock.json scripts/build_assets.sh
	./scripts/build_assets.sh
	touch $@

## install: create .venv, install the locked dependencies, the OCR engine, Pango and fonts,
## and build the static assets
install: $(VENV)/.installed build/static/vendor/.built ocr-deps pdf-deps

## ocr-deps: Tesseract's English model (read in-process through the tesserocr wheel, which
## carries the library itself), the tesseract program, and the fonts the envelope images are
## drawn with, from Debian's packages
ocr-deps:
	@{ command -v tesseract >/dev/null \
	  && ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 \
	  && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
	  && [ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]; } || { \
	  echo "installing Debian's tesseract-ocr, its English model and fonts for the envelope images"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr \
	    tesseract-ocr-eng fonts-dejavu-core fonts-liberation; }

## demo: migrate the SQLite database in var/, seed the synthetic world, serve on :8000
demo: install
	env -u DATABASE_URL $(BIN)/mailcover demo

## lint: ruff (lint and format)
lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

## types: mypy (strict on the pure packages)
types: install
	$(BIN)/mypy

## pdf-deps: Pango, with which WeasyPrint lays out the tagged PDFs (the records cover letter,
## the transparency report), from Debian's packages
pdf-deps:
	@{ /sbin/ldconfig -p | grep -q 'libpango-1.0.so.0' && /sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' \
	  && /sbin/ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; } || { \
	  echo "installing Debian's Pango for the tagged PDFs"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 \
	    libpangoft2-1.0-0 libharfbuzz-subset0; }

## browser-deps: Chromium from Debian's packages for the browser tests
browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

## test: lint, types, the whole suite on SQLite, then on PostgreSQL when DATABASE_URL is set
test: install browser-deps lint types
	env -u DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$(PG_URL)" ]; then \
	  echo "== again on PostgreSQL =="; \
	  DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q; \
	else echo "DATABASE_URL is not set: skipping the PostgreSQL run"; fi

## screenshots: every main page of every role at 1280 and 390 px, as PNGs in build/screenshots/,
## with axe-core's findings beside them (axe-findings.jsonl); the browser tests' seeded world
screenshots: install browser-deps
	rm -rf build/screenshots && mkdir -p build/screenshots
	env -u DATABASE_URL MAILCOVER_SCREENSHOTS=build/screenshots $(BIN)/pytest -q -p no:randomly \
	  tests/e2e/test_every_page.py -k "every_page_of_every_role or confirmation_pages"
	@echo "screenshots written to build/screenshots/"

## openapi: regenerate the committed OpenAPI schema (docs/openapi.json)
openapi: install
	env -u DATABASE_URL $(BIN)/mailcover manage export_openapi_schema --api mailcover.config.api.api --indent 2 --sorted --output docs/openapi.json

## lock: refresh requirements.lock from pyproject.toml
lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

## bench: run every benchmark in bench/ (each prints one JSON line; bench/_*.py are helpers)
bench: install
	@for b in bench/*.py; do [ -e "$$b" ] || { echo "no benchmarks yet"; break; }; \
	  case "$${b##*/}" in _*) continue;; esac; \
	  env -u DATABASE_URL $(BIN)/python "$$b"; done

clean:
	rm -rf $(VENV) build node_modules var .pytest_cache .mypy_cache .ruff_cache

## docs: regenerate docs/cli.md from the command's --help
docs: install
	COLUMNS=100 $(BIN)/python -m mailcover.clidocs > docs/cli.md

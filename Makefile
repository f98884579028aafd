# The two commands other tools depend on (SPEC §8):
#   make run    install everything, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   install everything, run the whole suite on SQLite and on PostgreSQL
#   make serve  install everything, serve as in production (gunicorn, task workers, scheduler)
# and the checks CI runs before the tests (.ci/run):
#   make lint   ruff (lint and format), mypy, the import contracts, no model change without a migration
#
# Each install step leaves a file behind, so a second `make` skips what is done:
#   .tools/system-packages.stamp  Debian packages (scripts/setup.sh)
#   .tools/bin/uv                 uv itself, in its own venv, bootstrapped from python3
#   .venv/.uv-synced              the project's venv; redone when uv.lock or pyproject.toml changes
#   locale/**/*.mo                compiled translations; redone when a .po changes
#   node_modules/.npm-installed   the npm packages package-lock.json pins (`npm ci`): Apache ECharts, and
#                                 axe-core for the browser tests
#   vendor-static/echarts/        echarts.min.js copied from node_modules, served as /static/vendor/echarts/
#   vendor-static/noble-ed25519/, vendor-static/tiny-cbor/
#                                 the offline verify page's Ed25519 and CBOR modules, likewise

UV_VERSION := 0.13.9
UV := .tools/bin/uv
PYTHON := .venv/bin/python
SYSTEM_STAMP := .tools/system-packages.stamp
VENV_STAMP := .venv/.uv-synced
NPM_STAMP := node_modules/.npm-installed
ECHARTS := vendor-static/echarts/echarts.min.js
ED25519 := vendor-static/noble-ed25519/index.js
TINY_CBOR := vendor-static/tiny-cbor/cbor.js

PO_FILES := $(shell find locale -name '*.po' 2>/dev/null)
MO_FILES := $(PO_FILES:.po=.mo)

# uv must use the machine's python3 and never download an interpreter of its own.
export UV_PYTHON := python3
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help setup system-packages venv messages assets run serve lint test test-sqlite test-pg

help:
	@echo "make run          install everything, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test         install everything, run the test suite on SQLite and on PostgreSQL"
	@echo "make serve        install everything, serve as in production: gunicorn, task workers, scheduler"
	@echo "make lint         ruff, ruff format --check, mypy, import contracts, missing migrations"
	@echo "make test-sqlite  the test suite on SQLite only"
	@echo "make test-pg      the test suite on PostgreSQL only"
	@echo "make setup        install only: system packages, the venv, compiled translations"

setup: system-packages venv messages assets

system-packages: $(SYSTEM_STAMP)

$(SYSTEM_STAMP): scripts/setup.sh
	sh scripts/setup.sh
	@mkdir -p $(@D) && touch $@

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

venv: $(VENV_STAMP)

$(VENV_STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	@touch $@

# The browser's libraries come from the npm registry at the versions package-lock.json pins, and are
# served by the application itself (no CDN: the office's network may have no internet).
assets: $(ECHARTS) $(ED25519) $(TINY_CBOR)

$(NPM_STAMP): package.json package-lock.json | $(SYSTEM_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ECHARTS): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE $(@D)/

$(ED25519): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp node_modules/@noble/ed25519/index.js node_modules/@noble/ed25519/LICENSE $(@D)/

# An ES module in two files (cbor.js imports ./cbor_internal.js): both, side by side.
$(TINY_CBOR): $(NPM_STAMP)
	@mkdir -p $(@D)
	cp node_modules/@levischuck/tiny-cbor/esm/cbor/cbor.js node_modules/@levischuck/tiny-cbor/esm/cbor/cbor_internal.js \
		node_modules/@levischuck/tiny-cbor/LICENSE $(@D)/

ifeq ($(strip $(PO_FILES)),)
messages: venv
	@echo "No translations under locale/ yet: nothing to compile."
else
messages: $(MO_FILES)

# compilemessages compiles every stale .mo in one go; touching them all afterwards keeps make from
# re-running it for a .mo that was already up to date.
$(MO_FILES) &: $(PO_FILES) $(VENV_STAMP)
	DEBUG=1 $(PYTHON) manage.py compilemessages --ignore=.venv --ignore=.tools --ignore=.git
	@touch $(MO_FILES)
endif

run: setup
	bash scripts/run.sh

# Tools from the venv, at the versions uv.lock pins; the first failing check fails the target.
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	DEBUG=1 $(PYTHON) manage.py makemigrations --check --dry-run --skip-checks

serve: setup
	bash scripts/serve.sh

test: setup
	bash scripts/test.sh all $(PYTEST_ARGS)

test-sqlite: setup
	bash scripts/test.sh sqlite $(PYTEST_ARGS)

test-pg: setup
	bash scripts/test.sh postgres $(PYTEST_ARGS)

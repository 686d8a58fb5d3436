# The two commands a newcomer types: `make run` and `make test`. Both install what is
# missing (idempotent, driven by stamps) and need nothing but Python 3.11+, Node 20+;
# the tests also drive a few of Debian's tools, installed where missing (`system`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
BUILD_STAMP := static/build/.built
MO_STAMP := app/translations/.compiled

.PHONY: run run-cluster test fuzz screenshots lint bench install system proxy clean translations

# In the room phones open the links: the server listens on every interface and the
# links carry the laptop's network address (HOST=127.0.0.1 make run keeps it private).
run: export HOST ?= 0.0.0.0
# The first start asks for the organiser's name, e-mail and organisation (or reads
# TAVOLO_ORGANISER_NAME, TAVOLO_ORGANISER_EMAIL, TAVOLO_ORGANISER_ORG) and every start
# prints their personal link; `tavolo init` says the rest on stderr, where its questions go.
run: install
	$(FLASK) db upgrade
	@echo ""
	@link=$$($(BIN)/tavolo init) && if [ -n "$$link" ]; then echo "    $$link"; fi
	@echo ""
	$(BIN)/python wsgi.py

# A region-wide deployment's shape on this machine (docs/deployment.md): PROCESSES server
# processes (2 unless told) on ports 5001…, HAProxy in front on CLUSTER_PORT (8000),
# all on the PostgreSQL database of DATABASE_URL (created if missing, brought up to date
# first) and the Redis of REDIS_URL, both as already running on 127.0.0.1. Ctrl-C
# stops everything.
run-cluster: install proxy
	$(BIN)/python -m deploy.cluster

test: install system
	$(BIN)/ruff check app tests bench deploy wsgi.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)
ifeq ($(PYTEST_ARGS),)
	@# The live server's other async mode (docs/deployment.md), against the same tests.
	TAVOLO_ASYNC_MODE=threading $(BIN)/python -m pytest -q tests/realtime
	@# The tests whose application is on a database, again on PostgreSQL at 127.0.0.1:5432
	@# (tests/databases.py; skipped, saying so, where it does not answer).
	TAVOLO_TEST_DATABASE=postgresql $(BIN)/python -m pytest -q -m database \
		tests/modules tests/web tests/realtime tests/test_cli.py
endif

# The long variants of the hostile-input tests: many more generated files, thirty kills
# of the live server instead of five (docs/security.md).
fuzz: install
	TAVOLO_LONG=1 $(BIN)/python -m pytest -q \
		tests/modules/imports/test_fuzz.py tests/core/test_importing.py tests/core/test_linear_time.py \
		tests/realtime/test_crash.py

# Refreshes the pictures of docs/ from the browser tests (a plain test run leaves them be).
screenshots: install system
	TAVOLO_DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/e2e

bench: install system
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check app tests bench deploy wsgi.py
	$(BIN)/ruff format --check app tests bench deploy wsgi.py

install: $(PY_STAMP) $(BUILD_STAMP) $(MO_STAMP)

# Debian's tools that the tests and benchmarks drive, installed where missing (as root,
# or through sudo): the browser, the PDF rasteriser, LibreOffice (the receiving office's
# view of the DOCX and ODT files), pg_dump (backups of a PostgreSQL instance), zbarimg
# (reads a QR code from its picture, as a phone's camera does), ss (the length of the
# server's listening queue, as the kernel sees it), and the proxy of `run-cluster`, which
# the multi-process tests start too.
PROXY_TOOLS := haproxy:haproxy
SYSTEM_TOOLS := chromium:chromium pdftoppm:poppler-utils soffice:libreoffice-writer-nogui \
	pg_dump:postgresql-client zbarimg:zbar-tools faketime:faketime ss:iproute2 $(PROXY_TOOLS)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian puts some of them in /usr/sbin, which not every user's PATH holds.
define install_missing
	@missing=""; for tool in $(1); do \
		PATH="$$PATH:/usr/sbin" command -v "$${tool%%:*}" >/dev/null 2>&1 || \
			missing="$$missing $${tool#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installo i pacchetti Debian mancanti:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system:
	$(call install_missing,$(SYSTEM_TOOLS))

proxy:
	$(call install_missing,$(PROXY_TOOLS))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(BUILD_STAMP): $(JS_STAMP) static/build.mjs $(shell find static/src -type f)
	node static/build.mjs
	touch $@

$(MO_STAMP): $(PY_STAMP) $(wildcard app/translations/*/LC_MESSAGES/*.po)
	$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | tail -n 3
	touch $@

# For developers after changing interface texts: collects the Italian source strings and
# merges them into each language's catalogue, where new ones wait to be translated.
translations: $(PY_STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file --no-wrap \
		--project Tavolo --copyright-holder "Tavolo" -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-wrap \
		--ignore-obsolete

clean:
	rm -rf static/build $(VENV) node_modules $(MO_STAMP)

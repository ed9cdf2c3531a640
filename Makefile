# The few commands everyone uses. `make run` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint format assets setup bench bench-pages messages clean

run: setup
	$(BIN)/toolbox db upgrade
	$(BIN)/toolbox demo
	$(BIN)/toolbox serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	# The layers (pyproject.toml, [tool.importlinter]): no domain imports the live transport,
	# live/ knows no domain, accounts know nothing of boards, the event log imports neither.
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(VENV)/.installed $(VENDOR)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Front-end libraries come from the npm registry at the exact versions of package-lock.json;
# only the few files the pages load are copied into the git-ignored static/vendor/. The pages
# load htmx, its websocket extension and board.js as one file, joined when the app starts
# (toolbox/static_files.py, BUNDLES): one request for all three on a first visit.
assets $(VENDOR)/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-ws/dist/ws.min.js \
	   node_modules/sortablejs/Sortable.min.js node_modules/axe-core/axe.min.js $(VENDOR)/
	touch $(VENDOR)/.installed

# Every benchmark of DESIGN.md §7 and issue 16 in one run, one table (bench/all.py): fan-out at
# 1,000 and 5,000 clients, two processes on Redis, the ASGI servers side by side, the read path on
# SQLite and PostgreSQL, page weight in Chromium, contention. BENCH_ARGS e.g. "--quick" (a smoke
# run) or "--only fanout". hypercorn and granian, measured beside uvicorn, are the bench extra.
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/all.py $(BENCH_ARGS)

# The read path: a 600-card board, search, a room of 200, against a bare Starlette handler (wrk).
bench-pages: setup
	$(BIN)/python bench/pages.py $(PAGES_ARGS)

# Extract the translatable strings into the catalogs (then translate the new fr_CA entries).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -o toolbox/locale/messages.pot .
	$(BIN)/pybabel update -i toolbox/locale/messages.pot -d toolbox/locale -l fr_CA --no-fuzzy-matching
	$(BIN)/pybabel update -i toolbox/locale/messages.pot -d toolbox/locale -l en --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules $(VENDOR)

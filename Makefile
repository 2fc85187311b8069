# The commands of the README: `make book`, `make test`, `make lab` and `make student`. Each sets everything up first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: book test lab student mutation setup browser clean

book: setup
	$(BIN)/python scripts/build_book.py
	@echo "The book is in _build/html: open _build/html/index.html, or serve it with"
	@echo "  $(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000"

test: setup browser
	$(BIN)/python -m pytest -n 3

# JupyterLab (pinned in requirements.txt, with the widget extension) on the chapters. As root
# (e.g. in a container) JupyterLab refuses to start without --allow-root.
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) chapters/

# The student edition: the chapters without their solutions, and a site built from them, in
# _build/student. REPOSITORY=<url> (where _build/student/book is published) turns on its launch buttons.
REPOSITORY ?=
JOBS ?= 2
student: setup
	$(BIN)/python scripts/student_edition.py --jobs $(JOBS) $(if $(REPOSITORY),--repository $(REPOSITORY))

# Mutation testing of the library's math modules against the unit tests (scripts/mutation.py): long,
# so not part of `make test`. MODULES="pca conv" restricts it; results are kept in _build/mutation.
MODULES ?=
mutation: setup
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	$(BIN)/python scripts/mutation.py $(MODULES)

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

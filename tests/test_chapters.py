"""Every chapter is a clean, self-contained notebook that follows the book's page structure."""

import re

import pytest

from book import (
    ROOT,
    SETUP_MARKER,
    chapter_notebooks,
    read_notebook,
    repository_branch,
    repository_url,
    setup_cell_source,
    source,
    toc_files,
)

NOTEBOOKS = chapter_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    listed = {source(page) for page in toc_files()}
    assert set(NOTEBOOKS) <= listed, f"not in _toc.yml: {sorted(set(NOTEBOOKS) - listed)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    nb = read_notebook(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a code cell carries outputs; strip them"
            assert cell.execution_count is None, f"{path.name}: a code cell carries an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_sets_up_colab_from_the_configured_repository(path):
    nb = read_notebook(path)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source.startswith(SETUP_MARKER), f"{path.name}: the first code cell must be the set-up cell"
    assert first.source == setup_cell_source(repository_url(), repository_branch()), (
        f"{path.name}: the set-up cell does not match repository.url in _config.yml; "
        "run `python scripts/sync_setup_cells.py`"
    )
    assert {"hide-input", "remove-cell", "hide-cell", "remove-input"} & set(first.metadata.get("tags", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_follows_the_page_structure(path):
    nb = read_notebook(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.match(r"# [IVX]+\([A-G]\) ", nb.cells[0].source), f"{path.name}: title must start with the exam part"
    assert re.search(r"Exam part [IVX]+\([A-G]\)", markdown), f"{path.name}: name the exam part"
    for heading in ("Think first", "## Beyond the exam", "## Exercises", "## Key takeaways"):
        assert heading in markdown, f"{path.name}: missing '{heading}'"
    assert re.search(r":class: dropdown", markdown), f"{path.name}: solutions must be folded"
    takeaways = markdown.split("## Key takeaways", 1)[1]
    assert 1 <= len(re.findall(r"^- ", takeaways, flags=re.M)) <= 3, f"{path.name}: one to three takeaways"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_placeholders(path):
    text = path.read_text()
    assert not re.search(r"\bTODO\b|\bFIXME\b|\bXXX\b|lorem ipsum", text, flags=re.I)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapters_define_no_reusable_code(path):
    # Functions and classes belong in dlexam, where a second page and the tests can use them.
    nb = read_notebook(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not re.search(r"^(def|class) ", cell.source, flags=re.M), f"{path.name}: move definitions to dlexam"

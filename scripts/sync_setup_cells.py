"""Point every chapter's Colab set-up cell at the repository named in _config.yml.

After forking the book, change `repository.url` (and `branch`) in _config.yml, then run
    python scripts/sync_setup_cells.py
The launch buttons read the same setting when the book is built.
"""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from book import SETUP_MARKER, chapter_notebooks, repository_branch, repository_url, setup_cell_source  # noqa: E402


def main():
    wanted = setup_cell_source(repository_url(), repository_branch())
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if code and code[0].source.startswith(SETUP_MARKER):
            if code[0].source != wanted:
                code[0].source = wanted
                nbformat.write(nb, path)
                print(f"updated {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        else:
            print(f"{path}: its first code cell is not the set-up cell; add one", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the Colab set-up cell, pointing at the repository named in _config.yml, into every chapter.

After forking the book, change `repository.url` (and `branch`) in _config.yml, then run
    python scripts/sync_setup_cells.py
The launch buttons read the same setting when the book is built. The cell's text comes from
scripts/setup_cell.py (setup_cell_source), so changing that text and running this script updates
every chapter too.

    python scripts/sync_setup_cells.py --check          # only report chapters that differ
    python scripts/sync_setup_cells.py path/to/x.ipynb  # only these notebooks (or folders)
"""

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup_cell import SETUP_MARKER, chapter_notebooks, repository_branch, repository_url, setup_cell_source  # noqa: E402


def notebooks(paths):
    """The notebooks named, folders expanded; every chapter when none is named."""
    if not paths:
        return chapter_notebooks()
    found = []
    for path in map(Path, paths):
        found.extend(sorted(path.rglob("*.ipynb")) if path.is_dir() else [path])
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def shown(path):
    path = path.resolve()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: every chapter)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a cell differs")
    args = parser.parse_args(argv)

    wanted = setup_cell_source(repository_url(), repository_branch())
    status = 0
    for path in notebooks(args.paths):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if not (code and code[0].source.startswith(SETUP_MARKER)):
            print(f"{shown(path)}: its first code cell is not the set-up cell; add one", file=sys.stderr)
            status = 1
        elif code[0].source != wanted:
            if args.check:
                print(f"differs: {shown(path)}")
                status = 1
            else:
                code[0].source = wanted
                nbformat.write(nb, path)
                print(f"updated {shown(path)}")
    return status


if __name__ == "__main__":
    sys.exit(main())

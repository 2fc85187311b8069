"""The Colab set-up cell every chapter starts with, and where the book's repository is.

Shared by scripts/sync_setup_cells.py (writes the cell into the chapters), scripts/student_edition.py
(points it at another repository) and the tests (check every chapter holds it as written here).
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def chapter_notebooks():
    """Every notebook under chapters/, listed in the toc or not."""
    return sorted((ROOT / "chapters").rglob("*.ipynb"))


def repository_url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")


SETUP_MARKER = "# Set-up: on Colab"


# The set-up cell, with <REPO_URL> and <BRANCH> filled in from _config.yml. Plain Python, no %pip:
# %pip does not raise when the install fails, and the student then meets ModuleNotFoundError one
# cell later; this cell stops with what it tried to install, from where, and what to check.
SETUP_CELL_TEMPLATE = """\
# Set-up: on Colab, install this book's library; anywhere else this cell does nothing.
import subprocess
import sys

if "google.colab" in sys.modules:
    source = "git+<REPO_URL>@<BRANCH>"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"dlexam @ {source}"],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError(f"Could not install this book's library, dlexam, from {source}\\n"
                           f"pip said:\\n{pip.stderr.strip()[-1500:]}\\n"
                           "Check that this runtime is online, and that the repository and branch "
                           "exist and are public (a fork must be pushed first).")
    import dlexam
    print(f"Installed dlexam {dlexam.__version__} from {source}")"""


def setup_cell_source(repo_url, branch="main"):
    """The first code cell of every chapter: installs dlexam on Colab, nothing elsewhere."""
    return SETUP_CELL_TEMPLATE.replace("<BRANCH>", branch).replace("<REPO_URL>", repo_url)


def repository_branch():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"].get("branch", "main")

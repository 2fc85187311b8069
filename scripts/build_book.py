"""Build the book into _build/html with every warning an error.

The execution cache (_build/.jupyter_cache) keys each chapter on its own code cells only, so
a change to the library would leave stale outputs in cached pages. This script records a hash
of code/dlexam; whenever it changed, it clears the cache and has Sphinx read every page again
(--all), so every page runs again.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
STAMP = BUILD / ".library-hash"


def library_hash():
    digest = hashlib.sha256()
    library = ROOT / "code" / "dlexam"
    # The explorers' JavaScript and CSS and the data files are part of the library too.
    paths = [p for p in library.rglob("*") if p.is_file() and p.suffix in {".py", ".js", ".css", ".csv"}]
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main(extra_args=()):
    current = library_hash()
    changed = not STAMP.exists() or STAMP.read_text() != current
    if changed:
        shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
    # Sphinx re-reads (and so re-executes) only sources it finds changed: after a library change,
    # --all makes it read every page again.
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going", *(["--all"] if changed else []),
               *extra_args]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        STAMP.write_text(current)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

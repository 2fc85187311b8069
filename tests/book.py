"""Helpers shared by the tests of the book itself: its pages, the build, a browser."""

import contextlib
import fcntl
import os
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"


def toc_files():
    """Every page listed in _toc.yml, as paths relative to the book without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def source(page):
    """The source file of a toc entry (.ipynb or .md)."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / f"{page}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"{page} is listed in _toc.yml but has no .ipynb or .md source")


def chapter_notebooks():
    """Every notebook under chapters/, listed in the toc or not."""
    return sorted((ROOT / "chapters").rglob("*.ipynb"))


def read_notebook(path):
    return nbformat.read(path, as_version=4)


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


def snapshot_repository(folder, branch):
    """A git repository holding this working tree as it is now (tracked and new files), on `branch`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=snapshot", "-c", "user.email=snapshot@localhost", "-C", str(folder)]
    subprocess.run([*git, "init", "--quiet", "--initial-branch", branch], check=True)
    subprocess.run([*git, "add", "--all"], check=True)
    subprocess.run([*git, "commit", "--quiet", "--message", "snapshot of the working tree"], check=True)
    return folder


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve a folder on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium not found: install Debian's 'chromium' package (make test does)")
    return path


def build_book():
    """Build the book as `make book` does, once per test run: (return code, log).

    Several workers may ask at once: the first builds, the others wait for it and get its result.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    BUILD.mkdir(exist_ok=True)
    stamp, log_file = BUILD / ".built-in-run", BUILD / "build.log"
    with open(BUILD / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text().split()[0] == run and log_file.exists():
            return int(stamp.read_text().split()[1]), log_file.read_text()
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py")],
                                capture_output=True, text=True, cwd=ROOT)
        log = strip_ansi(result.stdout + result.stderr)
        log_file.write_text(log)
        stamp.write_text(f"{run} {result.returncode}")
        return result.returncode, log

"""Chapters on Colab, simulated: the set-up cell installs dlexam from the repository, then the page runs.

The simulation is a kernel in its own environment with Colab's widget and IPython versions
(ipywidgets 7.7.1, IPython 7.34, ipykernel 6.17.1), in which:
- a `google.colab` module is imported at start (an IPython startup file in a private IPYTHONDIR),
  which is how the set-up cell recognises Colab;
- `dlexam` is not installed, and the page runs in an empty folder (as in Colab's /content);
- git, through its own configuration file (GIT_CONFIG_GLOBAL), fetches the repository URL of
  _config.yml from a snapshot of this working tree (uncommitted changes included) via
  `url.<snapshot>.insteadOf`, so the set-up cell installs what is here, without a network.

The environment is built once into _build/colab-venv and reused while its package list stays the
same; every chapter gets a fresh, empty layer on top of it, into which its set-up cell installs.

make test runs the set-up cells of all chapters (each distinct one once: they are one template),
two whole chapters (one NumPy-only, one that trains) and the failure cases. Every other chapter,
run whole, and each chapter's set-up cell in its own environment are marked `colab_full`, which
the default run leaves out:
    .venv/bin/python -m pytest tests/test_colab.py -m colab_full   # the other chapters, whole
    .venv/bin/python -m pytest tests/test_colab.py -m ""           # everything in this file
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from book import (BUILD, ROOT, chapter_notebooks, read_notebook, repository_branch, repository_url,
                  setup_cell_source, snapshot_repository)

# Colab's versions of what a notebook kernel talks to, NumPy and matplotlib as on Colab, and the
# book's own PyTorch pin (Colab's is newer; installing the book's keeps a second torch out).
TORCH_PIN = next(line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                 if line.startswith("torch=="))
COLAB_STACK = ["ipython==7.34.0", "ipykernel==6.17.1", "ipywidgets==7.7.1",
               "numpy==2.0.2", "matplotlib==3.10.0", TORCH_PIN]
COLAB_VENV = BUILD / "colab-venv"

# Run whole in make test: one page that needs only NumPy, one that trains with PyTorch.
WHOLE_IN_DEFAULT_RUN = {"chapters/part1/i_a_sigmoid_truth_table.ipynb", "chapters/part1/i_c_one_or_two_outputs.ipynb"}

NOTEBOOKS = chapter_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
WHOLE = [pytest.param(p, id=i, marks=() if i in WHOLE_IN_DEFAULT_RUN else pytest.mark.colab_full)
         for p, i in zip(NOTEBOOKS, IDS)]

GOOGLE_COLAB_STUB = '''\
# What the set-up cell looks for: Colab's kernels import google.colab at start.
import sys
import types

google = sys.modules.setdefault("google", types.ModuleType("google"))
google.colab = sys.modules["google.colab"] = types.ModuleType("google.colab")
'''

PROBE = '''\
import importlib.util
import sys

assert "google.colab" in sys.modules, "the simulated Colab kernel did not import google.colab"
assert importlib.util.find_spec("dlexam") is None, "dlexam is importable before the set-up cell ran"
'''

WHERE_IS_DLEXAM = "import dlexam\nprint(dlexam.__file__)"


# ---------------------------------------------------------------- the simulated Colab

def _outside_this_venv():
    """This process's environment variables, less those that would lead Python back to this venv."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "MPLBACKEND", "JUPYTER_PATH")}


@contextlib.contextmanager
def _locked(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def colab_base_venv():
    """The Colab-like environment (without dlexam), built once and reused while COLAB_STACK holds."""
    stamp = COLAB_VENV / ".colab-stack"
    wanted = "\n".join(COLAB_STACK)
    with _locked(BUILD / "colab-venv.lock"):
        if not (stamp.exists() and stamp.read_text() == wanted):
            shutil.rmtree(COLAB_VENV, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(COLAB_VENV)], check=True)
            pip = [str(COLAB_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
            for packages in (["--upgrade", "pip"], COLAB_STACK):
                done = subprocess.run([*pip, *packages], env=_outside_this_venv(), capture_output=True, text=True)
                assert done.returncode == 0, f"could not build the simulated Colab:\n{done.stderr[-3000:]}"
            stamp.write_text(wanted)
    return COLAB_VENV


def site_packages(venv):
    return next((venv / "lib").glob("python3*/site-packages"))


class Colab:
    """Everything a simulated Colab kernel needs; `layer()` gives a fresh environment without dlexam."""

    def __init__(self, base, home):
        self.base, self.home = base, home
        self.ipython_dir = home / "ipython"
        startup = self.ipython_dir / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-google-colab.py").write_text(GOOGLE_COLAB_STUB)
        self.git_config = home / "gitconfig"
        self.git_config.write_text("")
        self.layers = 0

    def redirect(self, url, to):
        """Make git fetch `url` (and anything under it) from `to` instead."""
        with open(self.git_config, "a") as handle:
            handle.write(f'[url "{Path(to).as_uri() if isinstance(to, Path) else to}"]\n\tinsteadOf = {url}\n')

    def layer(self):
        """A new environment on top of the base one: the base packages, and an empty site-packages."""
        self.layers += 1
        venv = self.home / f"layer-{self.layers}"
        subprocess.run([str(self.base / "bin" / "python"), "-m", "venv", "--without-pip", str(venv)], check=True)
        (site_packages(venv) / "colab-base.pth").write_text(
            f"import site; site.addsitedir({str(site_packages(self.base))!r})\n")
        spec = venv / "kernels" / "colab"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(venv / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (simulated Colab)",
            "language": "python",
        }))
        return venv

    def env(self, venv):
        env = _outside_this_venv()
        env.update(
            PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            IPYTHONDIR=str(self.ipython_dir),
            GIT_CONFIG_GLOBAL=str(self.git_config),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_TERMINAL_PROMPT="0",
        )
        return env

    def run(self, nb, venv, allow_errors=False, timeout=600):
        """Execute a notebook in a fresh kernel of `venv`, in an empty folder; returns it executed."""
        workdir = venv / "content"
        workdir.mkdir(exist_ok=True)
        km = AsyncKernelManager(kernel_name="colab",
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(venv / "kernels")]))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=allow_errors,
                                resources={"metadata": {"path": str(workdir)}})
        client.execute(env=self.env(venv))
        return nb


@pytest.fixture(scope="session")
def colab(tmp_path_factory):
    home = tmp_path_factory.mktemp("colab")
    sim = Colab(colab_base_venv(), home)
    snapshot = snapshot_repository(home / "snapshot", repository_branch())
    sim.redirect(repository_url(), snapshot)
    return sim


def text_of(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def setup_and_check_cells(path):
    """The chapter's own set-up cell between a probe (Colab, no dlexam) and a look at what it installed."""
    setup = next(c for c in read_notebook(path).cells if c.cell_type == "code")
    return [nbformat.v4.new_code_cell(PROBE), nbformat.v4.new_code_cell(setup.source),
            nbformat.v4.new_code_cell(WHERE_IS_DLEXAM)]


def check_installed(cells, venv):
    installed = text_of(cells[1]).strip()
    assert re.fullmatch(rf"Installed dlexam \S+ from git\+{re.escape(repository_url())}@{re.escape(repository_branch())}",
                        installed), f"the set-up cell should print one line of what it installed, printed {installed!r}"
    where = Path(text_of(cells[2]).strip())
    assert where.is_relative_to(site_packages(venv)), f"dlexam was imported from {where}, not from what the cell installed"


# ---------------------------------------------------------------- the tests

# The set-up cells of all chapters, each distinct source run once: they are all the same template
# (tests/test_chapters.py checks it), so one run covers all 21 in make test. Each chapter's own
# run, in its own fresh environment, is under colab_full.
def _first_code_source(path):
    return next(c.source for c in read_notebook(path).cells if c.cell_type == "code")


_DISTINCT = {}
for _path, _id in zip(NOTEBOOKS, IDS):
    _DISTINCT.setdefault(_first_code_source(_path), (_path, _id))
_REPRESENTATIVES = {path for path, _ in _DISTINCT.values()}
SETUP_CELLS = [pytest.param(p, id=i, marks=() if p in _REPRESENTATIVES else pytest.mark.colab_full)
               for p, i in zip(NOTEBOOKS, IDS)]


@pytest.mark.parametrize("path", SETUP_CELLS)
def test_setup_cell_installs_dlexam_on_colab(colab, path):
    venv = colab.layer()
    nb = nbformat.v4.new_notebook(cells=setup_and_check_cells(path))
    colab.run(nb, venv)
    check_installed(nb.cells, venv)


@pytest.mark.parametrize("path", WHOLE)
def test_chapter_runs_on_colab(colab, path):
    venv = colab.layer()
    nb = read_notebook(path)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    probe, setup, where = setup_and_check_cells(path)
    nb.cells[first:first + 1] = [probe, setup, where]
    colab.run(nb, venv)
    check_installed([probe, setup, where], venv)


@pytest.mark.parametrize("url, branch, why", [
    (repository_url(), "not-pushed", "a fork whose branch was not pushed"),
    ("https://git.invalid/someone/dl-exam-book", repository_branch(), "no such host, or no network"),
])
def test_failed_install_stops_with_a_clear_message(colab, url, branch, why):
    venv = colab.layer()
    source = setup_cell_source(url, branch)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell("import dlexam")])
    colab.run(nb, venv, allow_errors=True)
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert errors, f"{why}: the set-up cell should stop with an error"
    error = errors[0]
    assert error.ename == "RuntimeError", f"{why}: expected the set-up cell's own message, got {error.ename}"
    for words in ("Could not install this book's library, dlexam", f"git+{url}@{branch}", "pip said:",
                  "Check that this runtime is online", "a fork must be pushed first"):
        assert words in error.evalue, f"{why}: the message should say {words!r}; it says:\n{error.evalue}"
    assert "ERROR" in error.evalue, f"{why}: the message should quote pip's error; it says:\n{error.evalue}"


def test_the_chapters_run_whole_by_default_exist():
    assert WHOLE_IN_DEFAULT_RUN <= set(IDS), f"not chapters any more: {sorted(WHOLE_IN_DEFAULT_RUN - set(IDS))}"


def test_setup_cell_does_nothing_outside_colab(monkeypatch, capsys):
    def no_install(*args, **kwargs):
        raise AssertionError(f"the set-up cell ran {args} outside Colab")

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", no_install)
    exec(compile(setup_cell_source(repository_url(), repository_branch()), "set-up cell", "exec"), {})
    assert capsys.readouterr() == ("", "")


def test_setup_cell_is_plain_python_and_short():
    source = setup_cell_source("https://example.org/a/b", "main")
    compile(source, "set-up cell", "exec")  # no IPython magics: it must raise when pip fails
    assert "%pip" not in source and "!pip" not in source
    assert len(source.splitlines()) <= 20, "students read this cell: keep it short"
    assert textwrap.dedent(source) == source

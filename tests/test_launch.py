"""The ways to run a chapter that the README gives, besides Colab (tests/test_colab.py).

- Your own JupyterLab: `make lab` (or `.venv/bin/jupyter lab chapters/`) after the README's set-up
  serves the chapters, with the widget extension enabled.
- Binder: the files in binder/ agree with the book's pins, and repo2docker's plan for them uses
  Python 3.11 and binder/requirements.txt. (scripts/check_binder.py also resolves them with pip
  against PyPI and PyTorch's CPU index and measures them; that needs PyTorch's index.)
"""

import importlib.metadata
import importlib.util
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


from book import ROOT, repository_branch, snapshot_repository, strip_ansi

BIN = Path(sys.executable).parent
MANAGER = "@jupyter-widgets/jupyterlab-manager"


def load_check_binder():
    spec = importlib.util.spec_from_file_location("check_binder", ROOT / "scripts" / "check_binder.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_binder = load_check_binder()


def private_jupyter_dirs(folder):
    """Jupyter's config, runtime and settings folders inside `folder`: nothing of the user's is read or written."""
    env = dict(os.environ)
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[variable] = str(folder / variable.lower())
    return env


# ---------------------------------------------------------------- your own JupyterLab

def test_jupyterlab_4_is_pinned_and_installed():
    pin = check_binder.pinned(ROOT / "requirements.txt", "jupyterlab")
    assert pin and pin.startswith("4."), "requirements.txt must pin JupyterLab 4 (make lab runs it)"
    assert importlib.metadata.version("jupyterlab") == pin, "this environment does not have the pinned JupyterLab"


def test_widget_extension_is_enabled(tmp_path):
    done = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True,
                          env=private_jupyter_dirs(tmp_path), timeout=120)
    listing = strip_ansi(done.stdout + done.stderr)
    line = next((line for line in listing.splitlines() if MANAGER in line), None)
    assert line is not None, f"{MANAGER} is not installed:\n{listing}"
    assert "enabled" in line and "OK" in line, f"{MANAGER} is not enabled and OK: {line.strip()}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_lab_command():
    """The command `make lab` runs (its set-up step left out), for this test's environment."""
    venv = BIN.parent
    done = subprocess.run(["make", "-s", "-n", "-o", f"{venv}/.installed", f"VENV={venv}", "lab"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and " lab " in lines[0], f"make lab should run JupyterLab, it runs:\n{done.stdout}"
    return shlex.split(lines[0])


def test_make_lab_serves_the_chapters_with_widgets(tmp_path):
    port = free_port()
    log = open(tmp_path / "lab.log", "w")
    lab = subprocess.Popen(
        [*make_lab_command(), "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=", "--ServerApp.password="],
        cwd=ROOT, env=private_jupyter_dirs(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    try:
        page, deadline = None, time.monotonic() + 120
        while page is None and time.monotonic() < deadline and lab.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=10) as response:
                    page = response.read().decode()
            except (urllib.error.URLError, ConnectionError):
                time.sleep(1)
        assert page is not None, f"JupyterLab did not answer on /lab:\n{(tmp_path / 'lab.log').read_text()[-3000:]}"
        assert "JupyterLab" in page and MANAGER in page, "the /lab page should load JupyterLab and the widget extension"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/part1", timeout=10) as response:
            names = {item["name"] for item in json.loads(response.read())["content"]}
        assert any(name.endswith(".ipynb") for name in names), f"the chapters are not served: {sorted(names)}"
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()
        log.close()


# ---------------------------------------------------------------- Binder

def test_binder_files_agree_with_the_book():
    python = check_binder.binder_python()
    assert python == "3.11", "Binder must use the Python the book's pins are tested on (3.11)"
    assert check_binder.check_files(python) == []


def test_repo2docker_plans_python_3_11_and_the_binder_requirements():
    python = check_binder.binder_python()
    repo2docker = check_binder.repo2docker_command(None)  # installed into _build/check-binder once
    with tempfile.TemporaryDirectory(prefix="binder-") as tmp:
        clone = snapshot_repository(Path(tmp) / "repo", repository_branch())
        version, dockerfile, problems = check_binder.repo2docker_plan(repo2docker, clone, python)
    assert problems == [], f"repo2docker {version}:\n" + "\n".join(problems)
    assert re.search(r'pip install --no-cache-dir -r "binder/requirements.txt"', dockerfile)

"""Check the Binder set-up (binder/) the way mybinder.org uses it, and report what it installs.

    python scripts/check_binder.py                   # repo2docker's plan, then pip's resolution
    python scripts/check_binder.py --measure         # also download and install it: sizes
    python scripts/check_binder.py --cpu-wheels DIR  # DIR holds PyTorch's CPU wheel, for when
                                                     # download.pytorch.org cannot be reached

1. Copies this working tree (tracked and new files) into a clean git repository.
2. Runs `repo2docker --no-build` on the copy (jupyter-repo2docker is installed into
   _build/check-binder/ unless --repo2docker names one): the Dockerfile it would build must use
   the Python of binder/runtime.txt and install binder/requirements.txt.
3. Resolves binder/requirements.txt with `pip install --dry-run --report`, as the image would:
   that Python, the pip of repo2docker's environment, PyPI and PyTorch's CPU index only (no local
   pip configuration), from the copy's root. torch must be the CPU build, with no nvidia-* or
   triton package; JupyterLab 4, the widget extension and dlexam must be there.
4. With --measure, downloads every wheel and installs them into a fresh environment, then prints
   their sizes, and the part that Binder's base environment (repo2docker's lock file) lacks.

Run it with the Python of binder/runtime.txt; it needs PyPI (and PyTorch's index, or --cpu-wheels).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from book import BUILD, ROOT, repository_branch, snapshot_repository  # noqa: E402

BINDER = ROOT / "binder"
WORK = BUILD / "check-binder"
REPO2DOCKER = "jupyter-repo2docker==2026.4.0"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# pip settings that would bring in this machine's own indexes or wheel folders.
LOCAL_PIP_SETTINGS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONSTRAINT",
                      "PIP_NO_INDEX", "PIP_REQUIRE_VIRTUALENV", "PIP_USER", "PIP_TARGET", "PIP_PREFIX")


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def run(cmd, **kwargs):
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done


def binder_python():
    """The Python version of binder/runtime.txt, e.g. '3.11'."""
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    if not match:
        raise SystemExit(f"binder/runtime.txt should read like 'python-3.11', it reads {text!r}")
    return match.group(1)


def pinned(requirements, name):
    """The version pinned with == for `name` in a requirements file, or None."""
    for line in Path(requirements).read_text().splitlines():
        match = re.match(rf"\s*{re.escape(name)}\s*==\s*([^\s#;]+)", line, flags=re.I)
        if match:
            return match.group(1)
    return None


def check_files(python):
    """What can be checked without a network: the files agree with each other."""
    requirements = (BINDER / "requirements.txt").read_text()
    problems = []
    if not re.search(r"python\s+" + re.escape(python), (ROOT / "requirements.txt").read_text().splitlines()[0], re.I):
        problems.append(f"requirements.txt does not say it is tested on Python {python}")
    if f"--extra-index-url {CPU_INDEX}" not in requirements and f"--index-url {CPU_INDEX}" not in requirements:
        problems.append(f"binder/requirements.txt does not use PyTorch's CPU index {CPU_INDEX}")
    if not re.search(r"^-r \.\./requirements\.txt\s*$", requirements, flags=re.M):
        problems.append("binder/requirements.txt does not include the book's pins (-r ../requirements.txt)")
    book_torch, binder_torch = pinned(ROOT / "requirements.txt", "torch"), pinned(BINDER / "requirements.txt", "torch")
    if binder_torch != f"{book_torch}+cpu":
        problems.append(f"binder/requirements.txt pins torch=={binder_torch}; the book pins {book_torch}: "
                        f"pin torch=={book_torch}+cpu")
    if not (pinned(ROOT / "requirements.txt", "jupyterlab") or "").startswith("4."):
        problems.append("requirements.txt does not pin JupyterLab 4")
    return problems


def repo2docker_command(given):
    if given:
        return [given]
    if shutil.which("repo2docker"):
        return [shutil.which("repo2docker")]
    venv = WORK / "repo2docker"
    if not (venv / "bin" / "repo2docker").exists():
        print(f"installing {REPO2DOCKER} into {venv.relative_to(ROOT)} ...", flush=True)
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", REPO2DOCKER])
    return [str(venv / "bin" / "repo2docker")]


def repo2docker_plan(repo2docker, clone, python):
    """The Dockerfile repo2docker would build from the clone; checks its Python and pip steps."""
    done = run([*repo2docker, "--no-build", str(clone)], cwd=clone)
    out = done.stdout + done.stderr
    version = run([*repo2docker, "--version"]).stdout.strip() or run([*repo2docker, "--version"]).stderr.strip()
    problems = []
    if "Python version unspecified" in out:
        problems.append("repo2docker did not find the Python version: it says 'Python version unspecified'")
    if f"Building conda environment for python={python}" not in out:
        problems.append(f"repo2docker's Dockerfile does not set up Python {python}")
    if 'pip install --no-cache-dir -r "binder/requirements.txt"' not in out:
        problems.append("repo2docker's Dockerfile does not install binder/requirements.txt")
    return version, out, problems


def repo2docker_base(repo2docker, python):
    """Binder's base environment for this Python: {normalised name: version} from repo2docker's lock file."""
    python_of_r2d = Path(repo2docker[0]).with_name("python")
    where = run([str(python_of_r2d), "-c", "import repo2docker, os; print(os.path.dirname(repo2docker.__file__))"])
    lock = Path(where.stdout.strip()) / "buildpacks" / "conda" / f"environment.py-{python}-linux-64.lock"
    base = {}
    for line in lock.read_text().splitlines():
        if line.startswith("https://"):
            name, version, _build = line.rsplit("/", 1)[1].split("#")[0].rsplit("-", 2)
            base[normalise(name)] = version
    return base


def cpu_index_reachable():
    try:
        with urllib.request.urlopen(f"{CPU_INDEX}/torch/", timeout=15) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def pip_environment():
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_PIP_SETTINGS}
    env["PIP_CONFIG_FILE"] = os.devnull  # no pip.conf of this machine or user
    return env


def fresh_venv(path, pip_version):
    shutil.rmtree(path, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(path)])
    run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", f"pip=={pip_version}"], env=pip_environment())
    return path / "bin" / "python"


def resolve(python_exe, clone, cpu_wheels, report):
    extra = ["--retries", "0", "--timeout", "30"]
    if cpu_wheels:
        extra += ["--find-links", str(Path(cpu_wheels).resolve())]
    run([str(python_exe), "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report",
         str(report), "-r", "binder/requirements.txt", *extra], cwd=clone, env=pip_environment())
    return [(normalise(i["metadata"]["name"]), i["metadata"]["version"], i["download_info"]["url"])
            for i in json.loads(Path(report).read_text())["install"]]


def check_resolution(packages, book_torch):
    versions = {name: version for name, version, _ in packages}
    problems = []
    if versions.get("torch") != f"{book_torch}+cpu":
        problems.append(f"torch resolves to {versions.get('torch')}, not the CPU build {book_torch}+cpu")
    gpu = sorted(name for name in versions if name.startswith("nvidia-") or name in ("triton", "pytorch-triton"))
    if gpu:
        problems.append(f"GPU packages would be installed: {', '.join(gpu)}")
    if not versions.get("jupyterlab", "").startswith("4."):
        problems.append("JupyterLab 4 is not in the resolution")
    for needed in ("ipywidgets", "jupyterlab-widgets", "dlexam"):
        if needed not in versions:
            problems.append(f"{needed} is not in the resolution")
    return problems


def measure(python_exe, clone, cpu_wheels, packages, base):
    """Download every wheel and install them into a fresh environment; sizes in bytes."""
    wheels = WORK / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    extra = ["--retries", "0", "--timeout", "60"] + (["--find-links", str(Path(cpu_wheels).resolve())] if cpu_wheels else [])
    listed = "\n".join(f"{name}=={version}" for name, version, url in packages if name != "dlexam")
    pinned_file = WORK / "resolved.txt"
    pinned_file.write_text(listed + "\n")
    run([str(python_exe), "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", str(wheels),
         "--extra-index-url", CPU_INDEX, "-r", str(pinned_file), *extra], cwd=clone, env=pip_environment())
    sizes = {}
    for wheel in wheels.iterdir():
        sizes[normalise(wheel.name.split("-")[0])] = wheel.stat().st_size
    venv = WORK / "installed"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run([str(python_exe), "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps",
         "--no-index", "--find-links", str(wheels), "-r", str(pinned_file)], env=pip_environment())
    site = next((venv / "lib").glob("python3*/site-packages"))
    installed = sum(f.stat().st_size for f in site.rglob("*") if f.is_file() and not f.is_symlink())
    versions = {name: version for name, version, _ in packages}
    new = {name: size for name, size in sizes.items() if base.get(name) != versions.get(name)}
    shutil.rmtree(venv)
    shutil.rmtree(wheels)
    return sizes, installed, new


def mb(n):
    return f"{n / 1e6:,.0f} MB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo2docker", help="the repo2docker command to use (default: on PATH, else installed)")
    parser.add_argument("--cpu-wheels", help="a folder holding PyTorch's CPU wheel, standing in for its index")
    parser.add_argument("--measure", action="store_true", help="download and install everything, report sizes")
    args = parser.parse_args(argv)

    python = binder_python()
    if f"{sys.version_info.major}.{sys.version_info.minor}" != python:
        raise SystemExit(f"Run this with Python {python} (binder/runtime.txt), e.g. python{python} {sys.argv[0]}")
    problems = check_files(python)
    book_torch = pinned(ROOT / "requirements.txt", "torch")
    WORK.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="binder-check-") as tmp:
        clone = snapshot_repository(Path(tmp) / "repo", repository_branch())
        repo2docker = repo2docker_command(args.repo2docker)
        version, dockerfile, found = repo2docker_plan(repo2docker, clone, python)
        problems += found
        (WORK / "Dockerfile").write_text(dockerfile)
        print(f"repo2docker {version} --no-build: Python {python}, binder/requirements.txt "
              f"({'as expected' if not found else 'NOT as expected'}; its output is in {(WORK / 'Dockerfile').relative_to(ROOT)})")

        base = repo2docker_base(repo2docker, python)
        reachable = cpu_index_reachable()
        if not reachable and not args.cpu_wheels:
            raise SystemExit(f"PyTorch's CPU index ({CPU_INDEX}) cannot be reached from here: pass --cpu-wheels DIR, "
                             f"a folder holding torch-{book_torch}+cpu's wheel for Python {python}")
        torch_from = CPU_INDEX if reachable else f"{args.cpu_wheels} (standing in for {CPU_INDEX}, unreachable)"
        python_exe = fresh_venv(WORK / "resolve", base.get("pip", "25.2"))
        packages = resolve(python_exe, clone, None if reachable else args.cpu_wheels, WORK / "report.json")
        problems += check_resolution(packages, book_torch)
        versions = {name: version for name, version, _ in packages}
        print(f"pip {base.get('pip', '25.2')} --dry-run on Python {python}, with PyPI and {torch_from}: "
              f"{len(packages)} packages; torch {versions.get('torch')}, jupyterlab {versions.get('jupyterlab')}, "
              f"ipywidgets {versions.get('ipywidgets')}, jupyterlab-widgets {versions.get('jupyterlab-widgets')}, "
              f"dlexam {versions.get('dlexam')}; nvidia-*/triton packages: "
              f"{sum(n.startswith('nvidia-') or 'triton' in n for n in versions)}")
        same = sorted(name for name, version in versions.items() if base.get(name) == version)
        print(f"already in Binder's base environment at the same version: {len(same)} of them")

        if args.measure:
            sizes, installed, new = measure(python_exe, clone, None if reachable else args.cpu_wheels, packages, base)
            print(f"wheels: {mb(sum(sizes.values()))} for {len(sizes)} packages (torch {mb(sizes.get('torch', 0))}); "
                  f"installed: {mb(installed)}")
            print(f"what Binder adds to its base environment: {mb(sum(new.values()))} of wheels, {len(new)} packages")

    if problems:
        print("\nPROBLEMS:\n- " + "\n- ".join(problems))
        return 1
    print("Binder set-up: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the book into _build/html with every warning an error.

The execution cache (_build/.jupyter_cache) keys each chapter on its own code cells only, so
a change to the library would leave stale outputs in cached pages. This script records a hash
of code/dlexam; whenever it changed, it clears the cache and has Sphinx read every page again
(--all), so every page runs again.

Sphinx runs the chapters one after the other. So before it starts, the chapters the cache does not
hold run side by side (--jobs, default: one per core), each in a fresh kernel in its own folder as
the build would run it, and go into the cache; Sphinx then finds them there. A chapter that fails
here is left out of the cache: the build runs it again and reports its error as usual.
"""

import concurrent.futures
import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

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


def chapters():
    """The notebooks of _toc.yml, in its order."""
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
    return [ROOT / f"{name}.ipynb" for name in files if (ROOT / f"{name}.ipynb").exists()]


def _run(path, timeout):
    """Execute one chapter as myst-nb's cache mode does: (executed notebook, seconds, error text or None)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False, meta_override=True)
    return nb, result.time, None if result.err is None else result.exc_string


def execute_ahead(jobs):
    """Run the chapters the execution cache lacks, `jobs` at a time, and cache the ones that succeed."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    settings = yaml.safe_load((ROOT / "_config.yml").read_text()).get("execute", {})
    if settings.get("execute_notebooks") != "cache":
        return
    cache = get_cache(str(BUILD / ".jupyter_cache"))
    missing = []
    for path in chapters():
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            missing.append(path)
    if not missing:
        return
    jobs = max(1, min(jobs, len(missing)))
    print(f"Running {len(missing)} chapters, {jobs} at a time, before the build", flush=True)
    timeout = settings.get("timeout", 300)
    # spawn: each worker starts clean instead of copying this process
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        runs = pool.map(_run, missing, [timeout] * len(missing))
        for path, (nb, seconds, error) in zip(missing, runs):
            name = path.relative_to(ROOT)
            if error is not None:
                print(f"{name} failed here; the build runs it again and reports its error", flush=True)
                continue
            record = cache.add_nb_to_project(str(path))
            cache.cache_notebook_bundle(CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            print(f"{name} ran in {seconds:.1f} s", flush=True)


def main(extra_args=(), jobs=None):
    current = library_hash()
    changed = not STAMP.exists() or STAMP.read_text() != current
    if changed:
        shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
    execute_ahead(jobs or os.cpu_count() or 1)
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
    args = sys.argv[1:]
    jobs = None
    if args[:1] == ["--jobs"]:
        if len(args) < 2 or not args[1].isdigit() or int(args[1]) < 1:
            sys.exit("--jobs takes a whole number of chapters to run at a time, at least 1: e.g. --jobs 2")
        jobs, args = int(args[1]), args[2:]
    sys.exit(main(args, jobs))

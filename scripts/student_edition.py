"""Build the student edition into _build/student/: every chapter without its solutions, and a site.

Solutions are marked once, in the source notebooks: every cell tagged ``solution`` is one (a
folded solution block, a cell that computes an answer, the solutions to the exercises).
nbconvert's ``TagRemovePreprocessor`` removes those cells, and the book's own answers kept for
grading (the ``answer`` in an exercise cell's ``exercise`` metadata) are dropped. What remains,
the questions, explanations, figures, widgets and exercises with their checks, is written to

    _build/student/chapters/   the student notebooks, without outputs: hand these out
    _build/student/book/       the same notebooks in a copy of the book's sources (library,
                               requirements, configuration): publish this as its own repository
    _build/student/html/       the student site, built from the student notebooks

Usage: python scripts/student_edition.py [--repository URL] [--branch NAME] [--no-site] [--jobs N]

--repository is the repository where you publish _build/student/book/: the student site's
Binder and Colab buttons then open the student notebooks there, and their Colab set-up cells
install the book's library from there. Without it, the student site has no launch buttons, so
that none can open the full book. The site's download button hands out the student notebook of
each page, without outputs.
"""

import argparse
import concurrent.futures
import copy
import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient
from nbconvert.preprocessors import TagRemovePreprocessor

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "student"
SOLUTION_TAG = "solution"
EXERCISE_KEY = "exercise"
# A cell may name [old, new] text replacements for the student edition, where a kept sentence
# refers to something only a removed solution defines (an equation label, say).
STUDENT_TEXT_KEY = "student_text"
# What the book's sources need to build the site and to run the notebooks on Binder or Colab.
BOOK_FILES = ("_toc.yml", "_ext", "_extra", "_static", "binder", "code", "pyproject.toml", "requirements.txt")
STUDENT_NOTE = (
    "```{note}\nThis is the **student edition**: the solutions are removed. Each page still "
    "runs top to bottom, and each exercise's check tells you whether your answer is right.\n```\n\n"
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup_cell import SETUP_MARKER, setup_cell_source  # noqa: E402


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def chapter_sources():
    """Every chapter notebook of the book, in the order of chapters/."""
    return sorted((ROOT / "chapters").rglob("*.ipynb"))


def exercises(nb):
    """The graded exercises of a notebook as (id, points) pairs, in page order."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get(EXERCISE_KEY)
        if meta:
            found.append((str(meta["id"]), float(meta.get("points", 1))))
    return found


def student_notebook(nb, chapter, repository=None, branch="main"):
    """The student version of a chapter: solution cells removed, the book's answers dropped, outputs cleared.

    With a repository, the Colab set-up cell installs the library from there instead.
    """
    nb = copy.deepcopy(nb)
    remover = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)
    nb, _ = remover.preprocess(nb, {})
    for cell in nb.cells:
        meta = cell.metadata.get(EXERCISE_KEY)
        if meta:
            cell.metadata[EXERCISE_KEY] = {k: meta[k] for k in ("id", "points") if k in meta}
        for old, new in cell.metadata.pop(STUDENT_TEXT_KEY, []):
            if old not in cell.source:
                raise ValueError(f"{chapter}: the {STUDENT_TEXT_KEY} replacement {old!r} no longer matches its cell; "
                                 "update the cell's metadata")
            cell.source = cell.source.replace(old, new)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
            if repository and cell.source.startswith(SETUP_MARKER):
                cell.source = setup_cell_source(repository.rstrip("/"), branch)
    nb.metadata["dlexam"] = {"chapter": chapter, "edition": "student"}
    return nb


def with_answers(nb):
    """A notebook whose exercise cells hold the book's own answers (from the source chapter's metadata)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = cell.metadata.get(EXERCISE_KEY)
        if meta and "answer" in meta:
            cell.source = meta["answer"]
    return nb


def execute(nb, cwd, timeout=300):
    """Run a notebook top to bottom on a fresh kernel, in place, keeping widget state.

    Cells that raise are recorded in their outputs and the run goes on; returns None, or what
    stopped the run (a cell over the time limit, a dead kernel) as a sentence.
    """
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            store_widget_state=True, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except Exception as err:  # a timeout or a dead kernel: reported, not raised
        name = type(err).__name__
        if "Timeout" in name:
            return f"a cell ran longer than the time limit of {timeout} s"
        return f"{name}: {str(err).strip().splitlines()[0] if str(err).strip() else 'no message'}"
    return None


def cell_errors(nb):
    """(cell index, 'Name: value') for every executed code cell that raised."""
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                found.append((i, f"{output.get('ename')}: {output.get('evalue', '')}"))
    return found


def _execute_job(job):
    text, cwd, timeout = job
    nb = nbformat.reads(text, as_version=4)
    started = time.perf_counter()
    stopped = execute(nb, cwd, timeout)
    return nbformat.writes(nb), stopped, time.perf_counter() - started


def execute_all(notebooks, jobs=1, timeout=300, log=print):
    """Execute {relative path: (notebook, cwd)} with `jobs` kernels at a time; returns {path: (nb, stopped, seconds)}."""
    work = {name: (nbformat.writes(nb), str(cwd), timeout) for name, (nb, cwd) in notebooks.items()}
    results = {}
    # Fresh worker processes (not forks of this one, which may hold threads and open sockets).
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=spawn) as pool:
        futures = {pool.submit(_execute_job, job): name for name, job in work.items()}
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            text, stopped, seconds = future.result()
            results[name] = (nbformat.reads(text, as_version=4), stopped, seconds)
            log(f"  executed {name} in {seconds:.1f} s")
    return {name: results[name] for name in notebooks}


def write_student_notebooks(out=OUT, repository=None, branch="main"):
    """Write every chapter's student notebook under out/chapters/; returns {path relative to out: notebook}."""
    shutil.rmtree(out / "chapters", ignore_errors=True)
    written = {}
    for source in chapter_sources():
        relative = source.relative_to(ROOT)
        nb = student_notebook(nbformat.read(source, as_version=4), source.stem, repository, branch)
        _write(nb, out / relative)
        written[relative] = nb
    return written


def site_config(repository, branch, execute="off"):
    """The book's _config.yml for the student edition (by default its pages are executed before the build)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    if execute:
        config["execute"]["execute_notebooks"] = execute
    config["html"]["use_issues_button"] = False
    if repository:
        config["repository"] = {"url": repository.rstrip("/"), "path_to_book": "", "branch": branch}
    else:
        config["html"]["use_repository_button"] = False
        config["launch_buttons"].update({"binderhub_url": "", "colab_url": ""})
    return config


def _copy_sources(target, repository, branch, execute="off"):
    """The book's sources without its chapters: configuration, library, requirements."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in BOOK_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif path.exists():
            shutil.copy2(path, target / name)
    (target / "_config.yml").write_text(yaml.safe_dump(site_config(repository, branch, execute), sort_keys=False))
    intro = (ROOT / "chapters" / "intro.md").read_text()
    title, _, rest = intro.partition("\n")
    (target / "chapters").mkdir()
    (target / "chapters" / "intro.md").write_text(f"{title}\n\n{STUDENT_NOTE}{rest.lstrip()}")


def build_site(executed, notebooks, repository=None, branch="main", out=OUT, log=print):
    """Build the student site into out/html from executed student notebooks ({path relative to out: nb}).

    The site shows the executed pages; its download button hands out `notebooks` (the same pages
    without outputs). out/book receives the publishable sources with the unexecuted notebooks.
    Returns the return code of jupyter-book.
    """
    book, staging = out / "book", out / "site-sources"
    _copy_sources(book, repository, branch, execute=None)  # built from there, it executes its pages itself
    _copy_sources(staging, repository, branch)
    for relative, nb in notebooks.items():
        _write(nb, book / relative)
        _write(executed[relative], staging / relative)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    started = time.perf_counter()
    result = subprocess.run([str(jupyter_book), "build", str(staging), "-W", "-n", "--keep-going"],
                            cwd=staging, capture_output=True, text=True)
    (out / "build.log").write_text(result.stdout + result.stderr)
    log(f"  jupyter-book build: {time.perf_counter() - started:.0f} s, log in {out / 'build.log'}")
    if result.returncode != 0:
        return result.returncode
    html = out / "html"
    shutil.rmtree(html, ignore_errors=True)
    shutil.copytree(staging / "_build" / "html", html)
    for relative, nb in notebooks.items():  # the download button hands out the notebook without outputs
        _write(nb, html / "_sources" / relative)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repository", help="repository where _build/student/book is published (launch buttons)")
    parser.add_argument("--branch", default="main", help="its branch (default main)")
    parser.add_argument("--no-site", action="store_true", help="write the notebooks only")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks executed at a time (default 1)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a cell may run (default 300)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    notebooks = write_student_notebooks(OUT, args.repository, args.branch)
    print(f"{len(notebooks)} student notebooks in {OUT.relative_to(ROOT)}/chapters", flush=True)
    if args.no_site:
        return 0
    runs = execute_all({p: (nb, ROOT / p.parent) for p, nb in notebooks.items()}, args.jobs, args.timeout)
    failed = {p: stopped or "; ".join(f"cell {i}: {e}" for i, e in errors)
              for p, (nb, stopped, _) in runs.items() if stopped or (errors := cell_errors(nb))}
    for name, error in failed.items():
        print(f"FAILED to run: {name}: {error}", file=sys.stderr)
    if failed:
        return 1
    code = build_site({p: nb for p, (nb, _, _) in runs.items()}, notebooks, args.repository, args.branch)
    if code:
        print(f"the student site did not build: see {OUT.relative_to(ROOT)}/build.log", file=sys.stderr)
        return code
    print(f"student site in {OUT.relative_to(ROOT)}/html, sources to publish in {OUT.relative_to(ROOT)}/book "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

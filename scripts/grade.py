"""Grade returned chapters: run each on a fresh kernel and score its exercises by their own checks.

Usage: python scripts/grade.py SUBMISSION [SUBMISSION ...] [--csv FILE] [--timeout SECONDS] [--jobs N]

A SUBMISSION is a notebook or a folder searched for notebooks. Each notebook is matched to its
chapter (by the chapter name the student edition writes into it, else by its file name), run
top to bottom on a fresh kernel with a time limit per cell, and every graded exercise of that
chapter is scored: its points when every check its cell displays says *right*, none otherwise.
A notebook that cannot be read or does not run to the end, a cell that raises (cells counted
from 1), and an exercise whose cell was deleted are reported in the scores, never crashed on. --csv writes one row per
exercise and per problem found.
"""

import argparse
import csv
import sys
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from student_edition import EXERCISE_KEY, cell_errors, chapter_sources, execute_all, exercises  # noqa: E402

from dlexam.checks import CHECK_METADATA_KEY  # noqa: E402

NO_EXERCISE = "-"  # the exercise column of a row that reports a problem with the whole notebook


@dataclass
class Score:
    notebook: str
    chapter: str
    exercise: str
    points: float
    max_points: float
    verdict: str


def chapters():
    """{chapter name: source notebook} for every chapter of the book."""
    return {path.stem: path for path in chapter_sources()}


def _first_line(text, limit=160):
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def cell_verdict(cell):
    """(correct, why) of an executed exercise cell, from the verdicts its checks displayed."""
    outputs = cell.get("outputs", [])
    for output in outputs:
        if output.get("output_type") == "error":
            return False, f"error: {output.get('ename')}: {_first_line(output.get('evalue', ''))}"
    records = [output["metadata"][CHECK_METADATA_KEY] for output in outputs
               if CHECK_METADATA_KEY in output.get("metadata", {})]
    if not records:
        if cell.get("execution_count") is None:
            return False, "not run: the notebook stopped before this cell"
        return False, "no verdict: the cell must end with its check, as handed out"
    wrong = [r for r in records if not r["correct"]]
    if wrong:
        return False, f"not yet ({_first_line(wrong[0]['message'])})"
    return True, "right"


def score(nb, expected, notebook="", chapter=""):
    """One Score per expected (id, points) exercise, read from an executed notebook."""
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get(EXERCISE_KEY)
        if cell.cell_type == "code" and meta and "id" in meta:
            cells.setdefault(str(meta["id"]), cell)
    scores = []
    for exercise_id, points in expected:
        cell = cells.get(exercise_id)
        if cell is None:
            scores.append(Score(notebook, chapter, exercise_id, 0.0, points, "missing: the exercise cell was deleted"))
            continue
        correct, why = cell_verdict(cell)
        scores.append(Score(notebook, chapter, exercise_id, points if correct else 0.0, points, why))
    return scores


def problems(nb, stopped, notebook, chapter, limit=3):
    """Rows reporting what went wrong outside the exercises: a run that stopped, cells that raised."""
    rows = []
    if stopped:
        rows.append(Score(notebook, chapter, NO_EXERCISE, 0, 0, f"the notebook did not run to the end: {stopped}"))
    raised = [(i, e) for i, e in cell_errors(nb) if EXERCISE_KEY not in nb.cells[i].metadata]
    for i, error in raised[:limit]:
        rows.append(Score(notebook, chapter, NO_EXERCISE, 0, 0, f"cell {i + 1} raised {_first_line(error)}"))
    if len(raised) > limit:
        rows.append(Score(notebook, chapter, NO_EXERCISE, 0, 0, f"{len(raised) - limit} more cells raised"))
    return rows


def _prepare(path, known):
    """(notebook, chapter name, source path) or a Score row saying why it cannot be graded."""
    name = str(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook, unreadable: reported
        return Score(name, "?", NO_EXERCISE, 0, 0, f"unreadable notebook: {type(err).__name__}: {_first_line(err)}")
    chapter = nb.metadata.get("dlexam", {}).get("chapter") or Path(path).stem
    if chapter not in known:
        return Score(name, chapter, NO_EXERCISE, 0, 0, "no chapter of the book has this name")
    return nb, chapter, known[chapter]


def grade(paths, timeout=300, jobs=1, log=None):
    """Scores of every notebook in `paths`, in order: {notebook path: [Score, ...]}."""
    known = chapters()
    prepared, results = {}, {}
    for path in paths:
        item = _prepare(path, known)
        if isinstance(item, Score):
            results[str(path)] = [item]
        else:
            prepared[str(path)] = item
    runs = execute_all({name: (nb, source.parent) for name, (nb, _, source) in prepared.items()},
                       jobs=jobs, timeout=timeout, log=log or (lambda message: None))
    for name, (nb, stopped, _) in runs.items():
        _, chapter, source = prepared[name]
        expected = exercises(nbformat.read(source, as_version=4))
        results[name] = problems(nb, stopped, name, chapter) + score(nb, expected, name, chapter)
    return {str(path): results[str(path)] for path in paths}


def grade_notebook(path, timeout=300):
    """The scores of one returned notebook."""
    return grade([path], timeout)[str(path)]


def submissions(paths):
    """The notebooks named, folders searched recursively (checkpoints left out)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such notebook or folder: {path}")
    return found


def report(scores):
    """The printed report of one notebook: a line per exercise and problem, then the total."""
    lines = []
    for s in scores:
        label = "notebook" if s.exercise == NO_EXERCISE else f"exercise {s.exercise}"
        points = "" if s.exercise == NO_EXERCISE else f"{s.points:g}/{s.max_points:g}"
        lines.append(f"  {label:<14} {points:<8} {s.verdict}")
    graded = [s for s in scores if s.exercise != NO_EXERCISE]
    lines.append(f"  {'total':<14} {sum(s.points for s in graded):g}/{sum(s.max_points for s in graded):g}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--csv", help="also write every score to this CSV file")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a single cell may run (default 300)")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at a time (default 1)")
    args = parser.parse_args(argv)
    try:
        paths = submissions(args.submissions)
    except FileNotFoundError as err:
        parser.error(str(err))
    if not paths:
        parser.error("no notebooks found in " + ", ".join(args.submissions))
    results = grade(paths, args.timeout, args.jobs, log=lambda message: print(message, file=sys.stderr, flush=True))
    for name, scores in results.items():
        print(f"\n{name} ({scores[0].chapter})\n{report(scores)}")
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([f.name for f in fields(Score)])
            writer.writerows(astuple(s) for scores in results.values() for s in scores)
        print(f"\nscores of {len(results)} notebooks written to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

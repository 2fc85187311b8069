"""The student edition: every solution is marked and removed, every page still runs, the grader is fair.

Solutions are cells tagged `solution` in the chapters; graded exercises are code cells with
`exercise` metadata (id, points, and the book's own answer). The quick tests work on the student
notebooks made in memory and grade the quickest chapter; the tests marked `book` execute every
student notebook once, with a copy of each exercise cell holding the book's answer right after
the blank one, then grade both halves and build the student site from the blank half.
"""

import ast
import copy
import csv
import html
import io
import re
import sys
from contextlib import redirect_stdout

import nbformat
import pytest

from book import ROOT, strip_ansi

sys.path.insert(0, str(ROOT / "scripts"))
import grade  # noqa: E402
import student_edition as se  # noqa: E402

SOURCES = se.chapter_sources()
IDS = [p.stem for p in SOURCES]
KEPT_HEADINGS = ("## The idea", "## Explore", "## Beyond the exam", "## Exercises", "## Key takeaways")
CHECK_CALL = re.compile(r"\bcheck_\w+\(|\bverdict\(")


def is_solution(cell):
    return se.SOLUTION_TAG in cell.metadata.get("tags", [])


def read(path):
    return nbformat.read(path, as_version=4)


def student(path):
    return se.student_notebook(read(path), path.stem)


# ---------------------------------------------------------------------------------------------
# Finding solution text: distinctive sentences and code lines of the solution cells and answers


QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-",
                        "\u00a0": " ", "\u2026": "..."})


def normalise(text):
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip()


def plain_runs(markdown):
    """Runs of plain prose in MyST markdown: what survives rendering to HTML word for word."""
    text = re.sub(r"^\s*(```+|:::+).*$|^:\w+:.*$", "\x00", markdown, flags=re.M)  # fences, directive options
    text = re.sub(r"\$\$.*?\$\$(\s*\([\w-]+\))?", "\x00", text, flags=re.S)  # display math with its label
    text = re.sub(r"\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`", "\x00", text)  # inline math, roles, code
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"\*+|^\s*(#+|[-*]|\d+\.)\s", " ", text, flags=re.M)  # emphasis, headings, list markers
    runs = []
    for piece in re.split(r"\x00|\n|(?<=[.:;?!])\s", text):
        piece = normalise(piece).strip(" ,;:()")
        if len(piece) >= 30 and len(piece.split()) >= 5:
            runs.append(piece)
    return runs


def code_lines(source, minimum=16):
    lines = []
    for line in source.splitlines():
        line = normalise(line)
        if len(line) >= minimum and not line.startswith("#"):
            lines.append(line)
    return lines


def cell_fragments(cell, rendered=False):
    if cell.cell_type == "markdown":
        runs = plain_runs(cell.source)
        if not rendered:  # in a notebook the raw lines are there too, math and roles included
            runs += [normalise(line) for line in cell.source.splitlines() if len(normalise(line)) >= 40]
        return runs
    return code_lines(cell.source)


def kept_text(*notebooks):
    return normalise("\n".join(c.source for nb in notebooks for c in nb.cells if not is_solution(c)))


def solution_fragments(nb, rendered=False, kept=None):
    """{fragment: where} for the solution cells and the book's answers of a source chapter.

    A fragment that also occurs in a kept cell (of this chapter, or in `kept`) is left out: it
    is not solution text.
    """
    kept = kept or kept_text(nb)
    found = {}
    for i, cell in enumerate(nb.cells):
        if is_solution(cell):
            for fragment in cell_fragments(cell, rendered):
                if fragment not in kept:
                    found.setdefault(fragment, f"solution cell {i}")
        answer = cell.metadata.get(se.EXERCISE_KEY, {}).get("answer")
        if answer and not rendered:
            blank = set(code_lines(cell.source, 1))
            for line in code_lines(answer, 8):
                if line not in blank and line not in kept:
                    found.setdefault(line, f"the answer of exercise {cell.metadata[se.EXERCISE_KEY]['id']}")
    return found


def strings(value):
    """Every string inside nested metadata."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def notebook_text(nb):
    """A notebook's sources and metadata as one normalised text."""
    parts = [nb.metadata]
    for cell in nb.cells:
        parts += [cell.source, cell.metadata]
    return normalise("\n".join(s for part in parts for s in strings(part)))


def leaks(fragments, text):
    return sorted(f"{where}: {fragment!r}" for fragment, where in fragments.items() if fragment in text)


# ---------------------------------------------------------------------------------------------
# The marks in the sources


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_every_folded_solution_is_marked_and_stands_alone(path):
    nb = read(path)
    solutions = [c for c in nb.cells if c.cell_type == "markdown" and re.search(r"\{admonition\} Solutions?\n", c.source)]
    assert solutions, f"{path.name}: no folded solution found"
    for cell in solutions:
        assert is_solution(cell), f"{path.name}: a folded solution is not tagged {se.SOLUTION_TAG!r}: {cell.source[:60]!r}"
        fence = re.match(r"(`{3,})\{admonition\} Solutions?\n", cell.source)
        assert fence and cell.source.rstrip().endswith(fence.group(1)) and cell.source.count(fence.group(1) + "\n") <= 2, (
            f"{path.name}: split the text around this solution into cells of their own: {cell.source[:60]!r}")
    for cell in nb.cells:
        if is_solution(cell):
            assert se.EXERCISE_KEY not in cell.metadata, f"{path.name}: an exercise cell is tagged as a solution"
            for heading in KEPT_HEADINGS:
                assert heading not in cell.source, f"{path.name}: '{heading}' sits in a solution cell; split it off"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_every_exercise_check_is_graded_with_the_books_answer(path):
    nb = read(path)
    exercises = [c for c in nb.cells if se.EXERCISE_KEY in c.metadata]
    assert exercises, f"{path.name}: no graded exercise"
    ids = [str(c.metadata[se.EXERCISE_KEY].get("id", "")) for c in exercises]
    assert all(ids) and len(set(ids)) == len(ids), f"{path.name}: exercise ids must be present and unique: {ids}"
    for cell in exercises:
        meta = cell.metadata[se.EXERCISE_KEY]
        assert cell.cell_type == "code" and set(meta) == {"id", "points", "answer"}, f"{path.name}: {meta}"
        assert isinstance(meta["points"], (int, float)) and meta["points"] > 0
        assert meta["answer"] != cell.source, f"{path.name}: exercise {meta['id']}'s answer is its blank"
        for source in (cell.source, meta["answer"]):
            last = ast.parse(source).body[-1]
            assert isinstance(last, ast.Expr), f"{path.name}: exercise {meta['id']} must end with its check"
    after = nb.cells[next(i for i, c in enumerate(nb.cells) if "## Exercises" in c.source):]
    for cell in after:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and not tags & {se.SOLUTION_TAG, "remove-cell"} and CHECK_CALL.search(cell.source):
            assert se.EXERCISE_KEY in cell.metadata, f"{path.name}: an exercise check is not graded: {cell.source[:60]!r}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_student_notebook_keeps_everything_but_the_solutions(path):
    full, nb = read(path), student(path)
    kept = [c for c in full.cells if not is_solution(c)]
    assert [c.id for c in nb.cells] == [c.id for c in kept]
    for cell, source in zip(nb.cells, kept):
        assert cell.source == source.source or se.STUDENT_TEXT_KEY in source.metadata
    assert nb.metadata["dlexam"] == {"chapter": path.stem, "edition": "student"}
    for cell in nb.cells:
        assert not is_solution(cell)
        assert cell.cell_type != "code" or (not cell.outputs and cell.execution_count is None)
        if se.EXERCISE_KEY in cell.metadata:
            assert set(cell.metadata[se.EXERCISE_KEY]) == {"id", "points"}
    assert se.exercises(nb) == se.exercises(full)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ("Think first", "## Explore", "## Beyond the exam", "## Exercises", "## Key takeaways"):
        assert part in markdown, f"{path.name}: the student edition lost '{part}'"


def glue_names(nb):
    patterns = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for m in re.finditer(r'glue\(\s*(f?)"([^"]+)"', cell.source):
                name = re.escape(m.group(2))
                patterns.append(re.compile(re.sub(r"\\\{[^}]*\\\}", ".+", name) if m.group(1) else name))
    return patterns


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_what_the_student_edition_refers_to_is_still_there(path):
    # A number glued, or an equation labelled, only in a removed cell would break the student site.
    nb = student(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    glued = glue_names(nb)
    used = {m.group(1).split(":")[0] for m in re.finditer(r"\{glue:\w*\}`([^`]+)`", markdown)}
    used |= set(re.findall(r"\{glue:md\}\s+(\S+)", markdown))
    assert not [u for u in used if not any(p.fullmatch(u) for p in glued)], f"{path.name}: glued only in a solution"
    labels = set(re.findall(r"\$\$\s*\(([\w-]+)\)", markdown)) | set(re.findall(r"^\(([\w-]+)\)=", markdown, re.M))
    referenced = set(re.findall(r"\{(?:eq|ref|numref)\}`([^`<]+)`", markdown))
    assert referenced <= labels, f"{path.name}: labels defined only in a solution: {sorted(referenced - labels)}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_no_solution_text_in_the_student_notebook(path):
    full = read(path)
    fragments = solution_fragments(full)
    assert len({where for where in fragments.values() if where.startswith("solution")}) == sum(map(is_solution, full.cells)), (
        f"{path.name}: a solution cell has no distinctive text to search for")
    assert not leaks(fragments, notebook_text(student(path)))


def test_the_leak_search_finds_a_solution_put_back():
    path = SOURCES[0]
    full = read(path)
    fragments = solution_fragments(full)
    put_back = student(path)
    put_back.cells.append(copy.deepcopy(next(c for c in full.cells if is_solution(c) and "Solution" in c.source)))
    assert leaks(fragments, notebook_text(put_back))
    answered = se.with_answers(full)
    assert leaks(fragments, notebook_text(se.student_notebook(answered, path.stem)))


def test_a_stale_student_text_replacement_is_an_error():
    nb = read(SOURCES[0])
    nb.cells[0].metadata[se.STUDENT_TEXT_KEY] = [["no such sentence", "x"]]
    with pytest.raises(ValueError, match="no longer matches its cell"):
        se.student_notebook(nb, "broken")


# ---------------------------------------------------------------------------------------------
# The grader, on the quickest chapter and on notebooks made to fail

QUICK = ROOT / "chapters" / "part1" / "i_f_pca_rank.ipynb"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """grade.py run on a folder of returned I(F) notebooks, each wrong in its own way; (printed, CSV rows)."""
    folder = tmp_path_factory.mktemp("returned")
    blank = student(QUICK)
    answers = se.student_notebook(se.with_answers(read(QUICK)), QUICK.stem)
    deleted = copy.deepcopy(answers)
    deleted.cells = [c for c in deleted.cells if c.metadata.get(se.EXERCISE_KEY, {}).get("id") != "2"]
    dies = copy.deepcopy(answers)
    dies.cells.insert(3, nbformat.v4.new_code_cell("import os\nos._exit(1)  # the kernel dies"))
    no_imports = copy.deepcopy(answers)
    no_imports.cells = [c for c in no_imports.cells if "import numpy as np" not in c.source]
    renamed = copy.deepcopy(blank)
    renamed.metadata.pop("dlexam")
    for name, nb in (("answers", answers), ("blank", blank), ("deleted", deleted), ("dies", dies),
                     ("no_imports", no_imports), ("sub/renamed", renamed)):
        (folder / name).parent.mkdir(exist_ok=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "garbage.ipynb").write_text("{not a notebook")
    table = folder / "scores.csv"
    return folder, table


def run_grader(capsys, *argv):
    assert grade.main([str(a) for a in argv]) == 0
    return strip_ansi(capsys.readouterr().out)


@pytest.fixture(scope="module")
def grader_output(graded):
    folder, table = graded
    out = io.StringIO()
    with redirect_stdout(out):
        assert grade.main([str(folder), "--csv", str(table), "--jobs", "2"]) == 0
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return out.getvalue(), rows


def rows_of(rows, name):
    return [r for r in rows if r["notebook"].endswith(f"/{name}.ipynb")]


def test_grader_gives_full_points_to_the_books_answers_and_none_to_blanks(grader_output):
    printed, rows = grader_output
    answers, blank = rows_of(rows, "answers"), rows_of(rows, "blank")
    assert [r["exercise"] for r in answers] == [i for i, _ in se.exercises(read(QUICK))]
    assert all(r["points"] == r["max_points"] and r["verdict"] == "right" for r in answers)
    assert all(float(r["points"]) == 0 and r["verdict"].startswith("not yet") for r in blank)
    assert re.search(r"answers\.ipynb \(i_f_pca_rank\)\n(.*\n)*?  total +3/3", printed)
    assert re.search(r"blank\.ipynb \(i_f_pca_rank\)\n(.*\n)*?  total +0/3", printed)


def test_grader_reports_a_deleted_exercise_and_scores_the_rest(grader_output):
    _, rows = grader_output
    by_id = {r["exercise"]: r for r in rows_of(rows, "deleted")}
    assert by_id["2"]["verdict"] == "missing: the exercise cell was deleted" and float(by_id["2"]["points"]) == 0
    assert float(by_id["1"]["points"]) == float(by_id["3"]["points"]) == 1


def test_grader_reports_broken_notebooks_instead_of_crashing(grader_output):
    printed, rows = grader_output
    dies = rows_of(rows, "dies")
    assert dies[0]["exercise"] == "-" and "did not run to the end" in dies[0]["verdict"] and "DeadKernelError" in dies[0]["verdict"]
    assert all(r["verdict"].startswith("not run") for r in dies[1:]) and len(dies) == 4
    missing = rows_of(rows, "no_imports")
    assert re.fullmatch(r"cell \d+ raised NameError: name '(np|pca)' is not defined", missing[0]["verdict"])
    assert all(float(r["points"]) == 0 for r in missing)
    garbage = rows_of(rows, "garbage")
    assert len(garbage) == 1 and garbage[0]["verdict"].startswith("unreadable notebook")
    # No chapter name in its metadata: matched by its file name, which is no chapter's.
    renamed = rows_of(rows, "renamed")
    assert renamed[0]["verdict"] == "no chapter of the book has this name"
    assert "garbage.ipynb (?)" in printed


def test_grader_stops_a_cell_at_the_time_limit(tmp_path, capsys):
    nb = student(QUICK)
    nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    nbformat.write(nb, tmp_path / "slow.ipynb")
    printed = run_grader(capsys, tmp_path / "slow.ipynb", "--timeout", "5")
    assert "the notebook did not run to the end: a cell ran longer than the time limit of 5 s" in printed
    assert "total          0/3" in printed


def test_grader_says_what_to_change_for_a_path_that_does_not_exist(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "nowhere")])
    assert "no such notebook or folder" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Every chapter, executed once: blanks and the book's answers side by side


def blank_and_answer(path):
    """The student notebook with, after each exercise cell, a copy holding the book's answer."""
    full = read(path)
    answers = {c.metadata[se.EXERCISE_KEY]["id"]: c.metadata[se.EXERCISE_KEY]["answer"]
               for c in full.cells if se.EXERCISE_KEY in c.metadata}
    nb = student(path)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if se.EXERCISE_KEY in cell.metadata:
            twin = copy.deepcopy(cell)
            twin.source = answers[cell.metadata[se.EXERCISE_KEY]["id"]]
            twin.metadata[se.EXERCISE_KEY]["twin"] = "answer"
            twin.id = f"{cell.id}-answer"
            cells.append(twin)
    nb.cells = cells
    return nb


def halves(nb):
    """(blank, answered) notebooks from an executed blank-and-answer notebook."""
    blank, answered = copy.deepcopy(nb), copy.deepcopy(nb)
    blank.cells = [c for c in nb.cells if c.metadata.get(se.EXERCISE_KEY, {}).get("twin") != "answer"]
    answered.cells = [c for c in answered.cells
                      if se.EXERCISE_KEY not in c.metadata or c.metadata[se.EXERCISE_KEY].pop("twin", None)]
    return blank, answered


@pytest.fixture(scope="module")
def executed():
    """{chapter: (executed notebook, what stopped it)}: every chapter run once, two at a time."""
    runs = se.execute_all({p.stem: (blank_and_answer(p), p.parent) for p in SOURCES}, jobs=2, timeout=600,
                          log=lambda message: None)
    return {name: (nb, stopped) for name, (nb, stopped, _) in runs.items()}


@pytest.mark.book
@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_student_notebook_runs_top_to_bottom_on_a_fresh_kernel(executed, path):
    nb, stopped = executed[path.stem]
    assert stopped is None, f"{path.name}: {stopped}"
    assert not se.cell_errors(nb), f"{path.name}: {se.cell_errors(nb)}"


@pytest.mark.book
@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_blank_answers_say_not_yet_and_score_zero(executed, path):
    blank, _ = halves(executed[path.stem][0])
    scores = grade.score(blank, se.exercises(read(path)))
    assert scores and all(s.points == 0 and s.verdict.startswith("not yet") for s in scores), (
        f"{path.name}: {[(s.exercise, s.verdict) for s in scores if not s.verdict.startswith('not yet')]}")


@pytest.mark.book
@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_the_books_answers_score_full_points(executed, path):
    _, answered = halves(executed[path.stem][0])
    scores = grade.score(answered, se.exercises(read(path)))
    assert scores and all(s.points == s.max_points and s.verdict == "right" for s in scores), (
        f"{path.name}: {[(s.exercise, s.verdict) for s in scores if s.verdict != 'right']}")


def site_text(folder):
    """The text of every page and every downloadable notebook of a built site, normalised."""
    parts = []
    for page in sorted(folder.rglob("*.html")):
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.S)
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    parts += [notebook_text(read(p)) for p in sorted(folder.rglob("*.ipynb"))]
    return normalise("\n".join(parts))


@pytest.fixture(scope="module")
def student_site(executed, tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    notebooks = {p.relative_to(ROOT): student(p) for p in SOURCES}
    runs = {p.relative_to(ROOT): halves(executed[p.stem][0])[0] for p in SOURCES}
    code = se.build_site(runs, notebooks, out=out, log=lambda message: None)
    log = strip_ansi((out / "build.log").read_text())
    assert code == 0, "the student site did not build:\n" + log[-4000:]
    return out / "html", log


@pytest.mark.book
def test_student_site_builds_without_warnings_and_hands_out_student_notebooks(student_site):
    html_dir, log = student_site
    assert "WARNING" not in log.replace("[IPKernelApp] WARNING | Kernel is running over TCP", "")
    for path in SOURCES:
        relative = path.relative_to(ROOT)
        page = (html_dir / relative.with_suffix(".html")).read_text()
        assert f"_sources/{relative.as_posix()}" in page, f"{relative}: no download button"
        assert "colab.research.google.com" not in page and "mybinder.org" not in page, f"{relative}: a launch button"
        handed_out = read(html_dir / "_sources" / relative)
        assert handed_out.metadata["dlexam"]["edition"] == "student"
        assert not any(c.get("outputs") for c in handed_out.cells)
    assert "student edition" in (html_dir / "chapters" / "intro.html").read_text()


@pytest.mark.book
def test_no_solution_text_on_the_student_site(student_site):
    text = site_text(student_site[0])
    chapters = [read(path) for path in SOURCES]
    everywhere = kept_text(*chapters)  # a line kept on one page is no leak on another
    found, kept_found, kept_total = [], 0, 0
    for path, full in zip(SOURCES, chapters):
        fragments = solution_fragments(full, rendered=True, kept=everywhere)
        found += [f"{path.stem}: {leak}" for leak in leaks(fragments, text)]
        kept = [f for c in full.cells if c.cell_type == "markdown" and not is_solution(c) for f in plain_runs(c.source)]
        kept_total += len(kept)
        kept_found += sum(f in text for f in kept)
    assert not found, "solution text on the student site:\n" + "\n".join(found[:20])
    # The search reads the rendered pages: most of the kept prose must be found there, word for word.
    assert kept_found > 0.9 * kept_total, f"only {kept_found} of {kept_total} kept sentences found on the site"


def test_launch_buttons_open_the_published_student_notebooks_or_are_off():
    config = se.site_config("https://example.org/you/dl-exam-student", "term1")
    assert config["repository"] == {"url": "https://example.org/you/dl-exam-student", "path_to_book": "", "branch": "term1"}
    assert config["launch_buttons"]["colab_url"] and config["launch_buttons"]["binderhub_url"]
    assert config["execute"]["execute_notebooks"] == "off" and "student edition" in config["title"]
    off = se.site_config(None, "main")
    assert off["launch_buttons"]["colab_url"] == off["launch_buttons"]["binderhub_url"] == ""
    assert not off["html"]["use_repository_button"] and not off["html"]["use_issues_button"]
    nb = se.student_notebook(read(QUICK), QUICK.stem, "https://example.org/you/dl-exam-student", "term1")
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert 'source = "git+https://example.org/you/dl-exam-student@term1"' in setup.source

"""Mutation testing of dlexam's math modules: how many small bugs would the unit tests catch?

    make mutation                          # every math module (long: run it before a release)
    make mutation MODULES="pca conv"       # some of them
    .venv/bin/python scripts/mutation.py --report   # the scores of the last run, again

mutmut (configured in pyproject.toml, [tool.mutmut]) copies the library, plants one small
change at a time (a flipped comparison, an off-by-one, a changed constant, a dropped argument)
and runs the unit tests that reach the changed function. A mutant the tests fail on is killed;
one they pass with survives: either the tests miss a bug there, or the change cannot alter
behaviour (an equivalent mutant, listed with its reason in tests/mutation_equivalents.toml and
left out of the score).

mutmut imports the mutated copy from ``src/``; the library lives in ``code/``. So the run
happens in _build/mutation, a staging folder holding the library as src/dlexam, the tests and
pyproject.toml; its results stay there between runs, and an unchanged function is not tested
again. The score per module is printed at the end: killed / (mutants tested - equivalent ones);
mutants a stopped run never reached are shown apart, as not run.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "_build" / "mutation"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.toml"
TARGET = 0.90

# mutmut's outcomes that count as caught: a test failed, ran out of time or crashed
CAUGHT = {"killed", "timeout", "segfault", "caught by type check"}


def math_modules():
    """The modules [tool.mutmut] mutates, by name (e.g. 'pca')."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return [Path(p).stem for p in config["only_mutate"]]


def stage(modules):
    """Refresh the staging folder: the library as src/dlexam, the tests, pyproject.toml restricted to `modules`."""
    STAGE.mkdir(parents=True, exist_ok=True)
    for name in ("src", "tests"):
        shutil.rmtree(STAGE / name, ignore_errors=True)
    shutil.copytree(ROOT / "code" / "dlexam", STAGE / "src" / "dlexam",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", STAGE / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    text = (ROOT / "pyproject.toml").read_text()
    only = ", ".join(f'"src/dlexam/{m}.py"' for m in modules)
    # mutmut copies every file of the package once, takes a copy as its source's mutated version while
    # their times agree, and puts back plain copies of the modules a run leaves out: a selected module
    # whose copy holds no mutants is removed, so mutmut writes them again.
    for module in modules:
        copy = STAGE / "mutants" / "src" / "dlexam" / f"{module}.py"
        if copy.exists() and "__mutmut_" not in copy.read_text():
            copy.unlink()
    # mutmut maps tests to functions once and then only adds new tests: a run on other modules than
    # the last one maps everything again.
    last = STAGE / "modules-last-run.txt"
    if not last.exists() or set(last.read_text().split()) != set(modules):
        (STAGE / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    last.write_text("\n".join(sorted(modules)) + "\n")
    (STAGE / "pyproject.toml").write_text(re.sub(r"^only_mutate = \[.*?\]", f"only_mutate = [{only}]", text,
                                                 count=1, flags=re.S | re.M))


def load_equivalents():
    if not EQUIVALENTS.exists():
        return {}
    return {name: entry["why"] for name, entry in tomllib.loads(EQUIVALENTS.read_text()).items()}


def outcomes(module):
    """{mutant name: mutmut's status} of one module's last run, or None if it never ran."""
    import json

    from mutmut.stats import status_by_exit_code

    meta = STAGE / "mutants" / "src" / "dlexam" / f"{module}.py.meta"
    if not meta.exists():
        return None
    return {name: status_by_exit_code[code] for name, code in json.loads(meta.read_text())["exit_code_by_key"].items()}


def survivors(modules):
    equivalents = load_equivalents()
    return [name for module in modules for name, status in (outcomes(module) or {}).items()
            if status not in CAUGHT | {"not checked", "check was interrupted by user"} and name not in equivalents]


def report(modules):
    """Print the outcome per module from the meta files mutmut leaves; return the overall score.

    The score counts the mutants tested: killed / (tested - equivalent). A mutant no test
    reaches counts as a survivor; one not tested yet (a run stopped early) is shown apart.
    """
    equivalents = load_equivalents()
    total_killed = total_counted = 0
    left = []
    print(f"\n{'module':18s} {'mutants':>8s} {'killed':>7s} {'survived':>9s} {'equivalent':>11s} {'not run':>8s} {'score':>7s}")
    for module in modules:
        codes = outcomes(module)
        if codes is None:
            print(f"{module:18s} (not run)")
            continue
        killed = equivalent = not_run = 0
        for name, status in codes.items():
            if status in CAUGHT:
                killed += 1
            elif status in ("not checked", "check was interrupted by user"):
                not_run += 1
            elif name in equivalents:
                equivalent += 1
            else:
                left.append((name, status))
        counted = len(codes) - equivalent - not_run
        total_killed += killed
        total_counted += counted
        score = f"{killed / counted:7.1%}" if counted else f"{'-':>7s}"
        print(f"{module:18s} {len(codes):8d} {killed:7d} {counted - killed:9d} {equivalent:11d} {not_run:8d} {score}")
    score = total_killed / total_counted if total_counted else 0.0
    print(f"{'all':18s} {'':8s} {total_killed:7d} {total_counted - total_killed:9d} {'':11s} {'':8s} {score:7.1%}"
          f"   (target {TARGET:.0%})")
    if left:
        print("\nSurvivors (show one with: cd _build/mutation && ../../.venv/bin/mutmut show <name>):")
        for name, status in left:
            print(f"  {name}  [{status}]")
    return score


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="math modules to mutate (default: all of [tool.mutmut] only_mutate)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested side by side")
    parser.add_argument("--report", action="store_true", help="print the last run's scores and stop")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument("--survivors", action="store_true",
                        help="test again only the last run's survivors of these modules (after the tests changed)")
    args = parser.parse_args()
    known = math_modules()
    unknown = [m for m in args.modules if m not in known]
    if unknown:
        parser.error(f"modules {unknown} are not among the math modules of [tool.mutmut]: {' '.join(known)}")
    modules = args.modules or known
    if not args.report:
        if args.fresh:
            shutil.rmtree(STAGE, ignore_errors=True)
        stage(modules)
        mutmut = Path(sys.executable).with_name("mutmut")
        # One thread per mutant: the mutants run side by side, and torch's thread pool does not survive
        # the fork that starts each one (a child using it can hang until mutmut's time limit).
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        names = survivors(modules) if args.survivors else []
        if args.survivors and not names:
            print("no survivors to test again")
        else:
            result = subprocess.run([str(mutmut), "run", "--max-children", str(args.jobs), *names], cwd=STAGE, env=env)
            if result.returncode:
                sys.exit(f"mutmut stopped with exit code {result.returncode}")
    score = report(modules)
    sys.exit(0 if score >= TARGET else 1)


if __name__ == "__main__":
    main()

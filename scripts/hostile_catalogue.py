"""Feed every public function of dlexam the hostile catalogue of tests/catalogue/ and count what happens.

    .venv/bin/python scripts/hostile_catalogue.py                 # every entry, counts only
    .venv/bin/python scripts/hostile_catalogue.py conv. pca. -v   # entries starting so, failures listed

Outcomes of the inputs that must be refused: "clean" (ValueError/TypeError naming the argument),
"unnamed" (the right type, a message that does not name it), "other exception", "silent" (a
result came back), "silent nan" (a NaN or infinite result came back), "hang". Edge inputs may
also be "accepted". Run it against another copy of the library with PYTHONPATH=that/copy.
"""

import collections
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import catalogue  # noqa: E402


def main(argv):
    verbose = "-v" in argv
    prefixes = [a for a in argv if not a.startswith("-")]
    specs = catalogue.load_all(strict=False)
    chosen = [s for name, s in sorted(specs.items()) if s.args and (not prefixes or name.startswith(tuple(prefixes)))]
    counts = collections.Counter()
    failing_functions = set()
    started = time.perf_counter()
    for entry in chosen:
        try:
            outcomes = catalogue.run(entry)
        except Exception as err:  # noqa: BLE001  (a library that lacks the function: count it, go on)
            print(f"{entry.name}: cannot run ({type(err).__name__}: {err})")
            continue
        for o in outcomes:
            counts[(o.expected, o.result)] += 1
            if not o.ok:
                failing_functions.add(entry.name)
                if verbose:
                    print(f"{entry.name}({o.argument} = {o.label}) [{o.expected}] {o.result}: {o.detail[:160]}")
    total = sum(counts.values())
    print(f"{len(chosen)} callables, {total:,} inputs, {time.perf_counter() - started:.0f} s")
    for (expected, result), n in sorted(counts.items()):
        print(f"  {expected:7s} {result:16s} {n:6,d}")
    bad = sum(n for (e, r), n in counts.items() if not catalogue.Outcome("", "", "", e, r).ok)
    print(f"wrong answers: {bad:,} in {len(failing_functions)} callables")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

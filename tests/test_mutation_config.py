"""The mutation-testing set-up (scripts/mutation.py, [tool.mutmut]) names real modules and equivalents."""

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
mutation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutation)


def test_every_math_module_to_mutate_exists_and_no_screen_module_is_among_them():
    modules = mutation.math_modules()
    assert len(modules) == len(set(modules)) >= 20
    for name in modules:
        assert (ROOT / "code" / "dlexam" / f"{name}.py").is_file(), name
    assert not {"display", "_threads"} & set(modules)


def test_staging_restricts_the_modules_and_keeps_the_rest_of_the_configuration(tmp_path, monkeypatch):
    monkeypatch.setattr(mutation, "STAGE", tmp_path / "stage")
    mutation.stage(["pca", "conv"])
    staged = tomllib.loads((tmp_path / "stage" / "pyproject.toml").read_text())
    original = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert staged["tool"]["mutmut"]["only_mutate"] == ["src/dlexam/pca.py", "src/dlexam/conv.py"]
    assert {k: v for k, v in staged["tool"]["mutmut"].items() if k != "only_mutate"} == \
        {k: v for k, v in original["tool"]["mutmut"].items() if k != "only_mutate"}
    assert (tmp_path / "stage" / "src" / "dlexam" / "pca.py").read_text() == (ROOT / "code" / "dlexam" / "pca.py").read_text()
    assert (tmp_path / "stage" / "tests" / "conftest.py").is_file()


def test_every_listed_equivalent_mutant_says_why():
    entries = tomllib.loads((ROOT / "tests" / "mutation_equivalents.toml").read_text())
    for name, entry in entries.items():
        assert name.startswith("dlexam.") and "__mutmut_" in name, name
        assert set(entry) == {"why"} and len(entry["why"]) > 20, name

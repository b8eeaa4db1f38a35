"""Shared fixtures: paths to the project's seeds and to the shared gold data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EVAL_DIR = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def cleaner():
    from cleaner import Cleaner

    return Cleaner()


@pytest.fixture
def eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        pytest.skip(f"gold data not found at {EVAL_DIR}")
    return EVAL_DIR


@pytest.fixture
def seed_corpus(tmp_path, monkeypatch) -> Path:
    """A copy of the seeds as a corpus folder; the cwd is tmp_path so paths print short."""
    root = tmp_path / "corpus"
    root.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, root / path.name)
    monkeypatch.chdir(tmp_path)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: what a test compares before and after."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- rule packs written by tests

PROSE = [
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
    "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget.",
    "Several members objected to the move, arguing that the parks had already lost money in the last budget.",
]


def pack(tmp_path: Path, rules: str, name: str = "custom") -> Path:
    """A rules directory holding one pack `name` with the given rules (YAML list items)."""
    root = tmp_path / "rules"
    root.mkdir(exist_ok=True)
    (root / f"{name}.yaml").write_text(f"description: test pack\nrules:\n{rules}", encoding="utf-8")
    return root


def regex_rule(rid: str, pattern: str, action: str = "drop", kind: str = "regex") -> str:
    example = "aaaa" if action == "drop" else "x aaaa"
    return (f"  - id: {rid}\n    description: test rule\n    match: {{{kind}: '{pattern}'}}\n    action: {action}\n"
            f"    examples:\n      {action}: ['{example}']\n      keep: ['hello there']\n")


@pytest.fixture
def type_model():
    """write(folder, page_type, kind): a page-type model in `folder` that types every page `page_type`."""
    import json

    from cleaner import pagetype

    def write(folder: Path, page_type, kind: str = "html") -> None:
        trees = [{"feature": [0], "threshold": [0.0], "decision": ["<="], "default_left": [True], "missing": ["None"],
                  "left": [-1], "right": [-2], "leaf_value": [v, v]}
                 for v in (5.0 if t is page_type else 0.0 for t in pagetype.TYPES)]
        document = {"format": "cleaner-forest/1", "objective": "multiclass", "sigmoid": 1.0, "num_class": len(trees),
                    "num_tree_per_iteration": len(trees), "average_output": False,
                    "feature_names": list(pagetype.FEATURES[kind]), "meta": {"types": [t.value for t in pagetype.TYPES]},
                    "trees": trees}
        (Path(folder) / pagetype.MODEL_FILES[kind]).write_text(json.dumps(document))
        pagetype.model.cache_clear()

    return write

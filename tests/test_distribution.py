"""The distribution name: ours on the index, and every install hint names it with an extra that exists."""

import re
from pathlib import Path

import pytest

from cleaner.distribution import DISTRIBUTION, install_hint

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
HINT = re.compile(r"""pip install ['"]?([A-Za-z0-9_.-]+)\[([a-z0-9,_-]+)\]""")
RUNTIME_ENV = re.compile(r'"pip":\s*\["([A-Za-z0-9_.-]+)\[([a-z0-9,_-]+)\]')


def test_the_distribution_name_is_the_one_pyproject_declares():
    assert PROJECT["name"] == DISTRIBUTION
    assert DISTRIBUTION != "cleaner"  # the index's `cleaner` is an unrelated project
    assert PROJECT["scripts"]["cleaner"] == "cleaner.cli:main"  # the command keeps its name


def _texts():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "cleaner").rglob("*.py"))]
    return [(f, f.read_text(encoding="utf-8")) for f in files if f.exists()]


def test_every_install_hint_names_our_distribution_and_a_declared_extra():
    hints = [(f.name, m.group(1), m.group(2)) for f, text in _texts() for pattern in (HINT, RUNTIME_ENV)
             for m in pattern.finditer(text)]
    assert len(hints) >= 3  # README's warc and ray hints and the Ray job recipe at least
    extras = set(PROJECT["optional-dependencies"])
    for where, name, wanted in hints:
        assert name == DISTRIBUTION, f"{where}: installs {name!r}"
        assert set(wanted.split(",")) <= extras, f"{where}: extra {wanted!r} is not declared"


@pytest.mark.parametrize("extra", ["warc", "ray"])
def test_install_hint_names_the_extra(extra):
    assert install_hint(extra) == f"pip install '{DISTRIBUTION}[{extra}]'"
    assert HINT.search(install_hint(extra)).group(1) == DISTRIBUTION

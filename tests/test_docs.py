"""The documented examples run: every ```python block of README.md and docs/*.md, and the API's doctests."""

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cleaner.api

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for n, code in enumerate(BLOCK.findall(path.read_text(encoding="utf-8"))):
            yield pytest.param(code, id=f"{path.name}[{n}]")


@pytest.mark.parametrize("code", list(_blocks()))
def test_documented_python_runs(code, tmp_path):
    """Each block as a script of its own, as a reader would paste it (datasets' num_proc pickles __main__)."""
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_DATASETS_CACHE": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_there_are_python_examples_for_each_entry_point():
    code = "\n".join(p.values[0] for p in _blocks())
    for name in ("clean_html(", "clean_text(", "Cleaner(", ".to_dict()", "Document(", ".map("):
        assert name in code, f"no documented example uses {name}"


def test_api_doctests_pass():
    result = doctest.testmod(cleaner.api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0

"""The README is a front door: short, current, every subcommand in its synopsis, its rule example valid;
docs/ holds the rest, with the rules reference generated from the packs."""

import re
import subprocess
import sys
from pathlib import Path

from cleaner.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
HISTORY = re.compile(r"\b20\d\d-\d\d-\d\d\b|\bissue \d+|\bsession\b|\b\d\d:\d\d\b", re.I)


def _subcommands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    names = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
        names += [f"{name} {n}" for n in nested[0].choices] if nested else [name]
    return names


def test_readme_is_short():
    assert len(README.splitlines()) <= 250


def test_readme_and_docs_hold_current_figures_not_history():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found = HISTORY.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name}: {found}"


def test_synopsis_names_every_subcommand():
    synopsis = README.split("## Commands", 1)[1].split("```", 2)[1]
    for command in _subcommands():
        assert f"cleaner {command}" in synopsis, command


def test_readme_rule_example_passes_rules_check(tmp_path):
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "examples:" in b)
    pack = tmp_path / "house-rules" / "site" / "footer.yaml"
    pack.parent.mkdir(parents=True)
    pack.write_text(block, encoding="utf-8")
    assert main(["rules", "check", str(tmp_path / "house-rules"), "--isolated"]) == 0


def test_docs_rules_md_is_generated_from_the_packs():
    done = subprocess.run([sys.executable, "-m", "cleaner.cli", "rules", "list", "--format", "markdown", "--isolated"],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), \
        "docs/rules.md is stale: cleaner rules list --format markdown > docs/rules.md"
    assert "## forum/xenforo" in done.stdout and "| `reaction-score` |" in done.stdout


def test_readme_links_to_docs_that_exist():
    for link in re.findall(r"\]\((docs/[^)]+)\)", README):
        assert (ROOT / link).is_file(), link

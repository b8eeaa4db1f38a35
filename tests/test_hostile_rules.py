"""Hostile rules: unsafe YAML and catastrophic regexes (rules that would empty the article: test_guard.py)."""

from __future__ import annotations

import json
import time

import pytest

from cleaner.rulebook import book
from cleaner.cli import main
from cleaner.model import Document, Kind
from cleaner.pipeline import Cleaner, Options
from cleaner.rulebook.regexlint import risks
from cleaner.rulebook import RuleError, load
from cleaner.runner import RunConfig, run

from conftest import PROSE, pack, regex_rule


# --------------------------------------------------------------------------- unsafe YAML

EVIL = "!!python/object/apply:os.system ['touch {marker}']"


def test_python_tags_in_a_rule_file_are_rejected_with_file_and_line(tmp_path):
    marker = tmp_path / "pwned"
    root = pack(tmp_path, "  - id: evil\n    description: x\n    match: {line: ['a']}\n    action: drop\n"
                          f"    examples: {EVIL.format(marker=marker)}\n")
    with pytest.raises(RuleError) as err:
        load([root])
    (problem,) = err.value.problems
    assert problem.startswith(f"{root / 'custom.yaml'}:7:") and "python/object/apply" in problem
    assert not marker.exists()


def test_python_tags_in_a_config_file_are_rejected_with_file_and_line(tmp_path, monkeypatch, capsys):
    marker = tmp_path / "pwned"
    (tmp_path / "cleaner.yaml").write_text(f"exclude:\n  - '*.bak'\ncomments: {EVIL.format(marker=marker)}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["config"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'cleaner.yaml'}:3:" in err and "python/object/apply" in err
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!python/object/new:subprocess.Popen [['true']]",
                                 "!!python/module:os", "!!python/object:builtins.object {}"])
def test_every_unsafe_tag_is_refused(tmp_path, tag):
    root = pack(tmp_path, f"  - id: x\n    description: {tag}\n    match: {{line: ['a']}}\n    action: drop\n"
                          "    examples: {drop: ['a'], keep: ['b']}\n")
    with pytest.raises(RuleError) as err:
        load([root])
    assert f"{root / 'custom.yaml'}:4:" in err.value.problems[0]  # the line of the tag


# --------------------------------------------------------------------------- catastrophic regexes

EVIL_LINE = "a" * 40 + "!"  # (a|aa)+$ tries about 1.6e8 ways to split this before it can fail


@pytest.fixture
def quick_timeout(monkeypatch):
    """A shorter regex timeout keeps these tests quick; the mechanism is the same."""
    monkeypatch.setattr(book, "REGEX_TIMEOUT", 0.2)
    return 0.2


def test_the_catastrophic_pattern_really_is_one(quick_timeout):
    import regex

    with pytest.raises(TimeoutError):
        regex.compile("(?i)(?:(a|aa)+$)").fullmatch(EVIL_LINE, timeout=quick_timeout)


@pytest.mark.parametrize("action, kind", [("drop", "regex"), ("strip", "strip")])
def test_a_catastrophic_rule_cannot_stall_a_document_and_the_others_still_run(tmp_path, quick_timeout, action, kind):
    root = pack(tmp_path, regex_rule("backtracker", "(a|aa)+$", action, kind))
    cleaner = Cleaner(Options(rules_dirs=(str(root),)))
    lines = ["Library hours"] + PROSE + ["Back to top"] + [EVIL_LINE] * 30 + ["Share this:"]
    started = time.perf_counter()
    result = cleaner.clean(Document("evil-doc", Kind.TEXT, "\n\n".join(lines)))
    elapsed = time.perf_counter() - started
    assert elapsed < 30 * quick_timeout  # each line alone would cost a timeout: the rule is skipped after its first
    assert result.meta["rule_timeouts"] == ["custom/backtracker"]
    assert {r.rule for r in result.removed} >= {"web/navigation/back-to-top"}  # the other rules still ran
    assert all(p in result.text for p in PROSE)
    again = cleaner.clean(Document("next-doc", Kind.TEXT, "\n\n".join(PROSE)))  # the next document starts afresh
    assert "rule_timeouts" not in again.meta


def test_a_timed_out_rule_is_reported_with_the_document(tmp_path, quick_timeout):
    root = pack(tmp_path, regex_rule("backtracker", "(a|aa)+$"))
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in [
        ("calm", "\n\n".join(PROSE)), ("stormy", "\n\n".join(PROSE + [EVIL_LINE])), ("calm-2", "\n\n".join(PROSE))]) + "\n")
    out = tmp_path / "out"
    report = run(RunConfig(inputs=(str(corpus),), out=out, options=Options(rules_dirs=(str(root),)), jobs=2, progress=False))
    assert (report.documents_out, report.documents_failed) == (3, 0)
    saved = json.loads((out / ".cleaner" / "report.json").read_text())
    assert saved["rule_timeouts"] == {"custom/backtracker": 1}
    assert saved["documents_with_notes"] == [{"id": "stormy", "rule_timeouts": ["custom/backtracker"]}]


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(.*)*x", r"(\w+\s?)+$", "(a|a)+", r"(\d+|\w+)*!"])
def test_rules_check_warns_about_backtracking_patterns(tmp_path, capsys, pattern):
    root = pack(tmp_path, regex_rule("risky", pattern))
    assert main(["rules", "check", str(root)]) in (0, 1)  # examples may or may not pass; warnings never fail it
    out = capsys.readouterr().out
    assert f"{root / 'custom.yaml'}:3: warning: rule 'custom/risky' pattern {pattern!r} may backtrack" in out


@pytest.mark.parametrize("pattern", ["(ab+)+", r"(\d+,)+", "(foo|bar)+", r"^\s*(.+?)\s*$", r"(?:\d{3})+",
                                     "(?>a+)+", r"(\p{L}+\s)+", "(site|search)+"])
def test_safe_patterns_get_no_warning(pattern):
    assert risks(pattern) == []


def test_the_builtin_packs_check_clean(capsys):
    assert main(["rules", "check"]) == 0
    assert "warning" not in capsys.readouterr().out

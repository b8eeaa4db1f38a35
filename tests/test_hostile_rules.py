"""Hostile rules: unsafe YAML, catastrophic regexes, and rules that would empty the article."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cleaner.rulebook import book
from cleaner.cli import main
from cleaner.model import Document, Kind
from cleaner.pipeline import Cleaner, Options
from cleaner.rulebook.regexlint import risks
from cleaner.rulebook import RuleError, load
from cleaner.runner import RunConfig, run

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


# --------------------------------------------------------------------------- rules that would empty the article


def test_a_rule_that_matches_every_line_is_held_back(tmp_path):
    root = pack(tmp_path, regex_rule("everything", ".+"))
    cleaner = Cleaner(Options(rules_dirs=(str(root),)))
    result = cleaner.clean(Document("d", Kind.TEXT, "\n\n".join(["Library hours"] + PROSE + ["Back to top"])))
    assert all(p in result.text for p in PROSE)
    assert result.meta["held_back"] == ["custom/everything"]
    assert not any(r.rule == "custom/everything" for r in result.removed)
    assert "Back to top" not in result.text  # built-in rules are not held back with it


def test_a_strip_rule_that_guts_every_line_is_held_back(tmp_path):
    root = pack(tmp_path, regex_rule("gutter", r"\w+ \w+ \w+ \w+", "strip", "strip"))
    result = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("d", Kind.TEXT, "\n\n".join(PROSE)))
    assert all(p in result.text for p in PROSE) and result.meta["held_back"] == ["custom/gutter"]


def test_the_share_is_configurable_from_the_command_line(tmp_path):
    root = pack(tmp_path, regex_rule("most", r"(?:The|Residents|The extension) .+"))  # 3 of 4 prose lines
    src = tmp_path / "doc.txt"
    src.write_text("\n\n".join(PROSE) + "\n", encoding="utf-8")
    outputs = {}
    for share in ("0.5", "0.9"):
        out = tmp_path / f"out-{share}"
        assert main(["clean", str(src), "-o", str(out), "-j", "1", "--no-progress", "--rules", str(root),
                     "--max-rule-share", share]) == 0
        outputs[share] = ((out / "articles" / "doc.txt").read_text(), json.loads((out / ".cleaner" / "report.json").read_text()))
    text, report = outputs["0.5"]
    assert all(p in text for p in PROSE) and report["held_back"] == {"custom/most": 1}
    text, report = outputs["0.9"]
    assert text.strip() == PROSE[3] and report["held_back"] == {}


@pytest.mark.parametrize("bad", ["0", "1.5", "half"])
def test_a_bad_share_is_a_usage_error(tmp_path, bad):
    with pytest.raises(SystemExit) as exit_:
        main(["clean", str(tmp_path), "-o", str(tmp_path / "o"), "--max-rule-share", bad])
    assert exit_.value.code == 2


def test_one_chrome_line_on_a_page_of_chrome_still_goes(cleaner):
    banner = "Save my name, email, and website in this browser for the next time I comment."  # prose-shaped chrome
    result = cleaner.clean(Document("d", Kind.TEXT, f"Home\n\n{banner}\n\nBack to top\n"))
    assert any(r.text == banner for r in result.removed)  # all the prose there is, but one line: not held back
    assert banner not in result.text and "held_back" not in result.meta


def test_a_bad_truncate_is_held_back_with_the_same_share(tmp_path):
    # a marker no built-in rule knows, so the custom rule is the one that fires on it
    root = pack(tmp_path, "  - id: early-cut\n    description: x\n    match: {line: ['Members only']}\n    action: truncate\n"
                          "    examples: {truncate: ['Members only'], keep: ['Members only get in on Sundays.']}\n")
    lines = ["Library hours", PROSE[0], "Members only"] + PROSE[1:] * 2
    loose = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("d", Kind.TEXT, "\n\n".join(lines)))
    assert all(p in loose.text for p in PROSE) and loose.meta["held_back"] == ["custom/early-cut"]


def test_the_html_path_holds_back_too(tmp_path):
    root = pack(tmp_path, regex_rule("everything", ".+"))
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</article></body></html>"
    result = Cleaner(Options(rules_dirs=(str(root),))).clean(Document("h", Kind.HTML, page))
    assert all(p in result.text for p in PROSE) and "custom/everything" in result.meta["held_back"]

"""The command line as a user runs it: JSONL in and out, bad input, rules list/check, explain."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from cleaner.cli import main
from conftest import SEEDS


def run(*argv: str) -> int:
    return main(list(argv))


def test_jsonl_in_jsonl_out_same_order_and_compression(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    src = tmp_path / "in" / "batch.jsonl.gz"
    src.parent.mkdir()
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        for i, path in enumerate(seeds):
            record = {"page_text": path.read_text(encoding="utf-8"), "url": f"https://example.org/{i}"}
            if i % 2 == 0:
                record["id"] = f"doc-{i}"
            fh.write(json.dumps(record) + "\n")
    out = tmp_path / "out"
    assert run("clean", str(src), "-o", str(out), "--text-field", "page_text", "-j", "1", "--no-progress") == 0
    with gzip.open(out / "batch.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    assert [r["id"] for r in records] == ["doc-0", "2", "doc-2", "4", "doc-4"]
    for record, i in zip(records, range(len(seeds))):
        assert set(record) == {"id", "source", "title", "text", "comments", "removed", "attributes", "metadata"}
        assert record["source"] == "batch"
        assert record["metadata"]["url"] == f"https://example.org/{i}"
        assert set(record["metadata"]["cleaner"]) == {"version", "rules"}
        assert "page_text" not in record["metadata"]
        assert all(set(r) == {"rule", "text"} for r in record["removed"])
    assert records[0]["comments"] and all(c["text"] for c in records[0]["comments"])
    assert "Reaction score" not in records[0]["text"]


def test_bad_input_is_reported_and_loses_nothing(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(SEEDS.glob("002_*.txt")), corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 au lait, s'il vous pla\xeet.".encode("latin-1"))
    (corpus / "records.jsonl").write_text(
        json.dumps({"id": "a", "text": "A fine line of text that says something."}) + "\n{not json\n"
        + json.dumps({"id": "c", "text": "Another fine line of text for the record."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("clean", str(corpus), "-o", str(out), "-j", "2", "--no-progress") == 1
    err = capsys.readouterr().err
    assert "empty.txt: empty file" in err
    assert "binary.txt: binary file" in err
    assert "records.jsonl:2: malformed JSON" in err
    assert "latin1.txt: note: encoding: not UTF-8; decoded as" in err
    report = json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    assert report["documents_in"] == 7
    assert report["documents_out"] == 4
    assert report["documents_failed"] == 3
    assert {f["source"].rsplit("/", 1)[-1] for f in report["failures"]} == {"empty.txt", "binary.txt", "records.jsonl:2"}
    # not UTF-8: decoded as the detected legacy encoding, which the report names (no silent mojibake)
    assert (out / "articles" / "latin1.txt").read_text(encoding="utf-8") == "Caf\xe9 au lait, s'il vous pla\xeet.\n"
    assert report["warnings"] == {"encoding": 1}
    assert report["documents_with_notes"][0]["id"] == "latin1.txt"
    assert (out / "articles" / "good.txt").read_text(encoding="utf-8").startswith("Terrorist US")
    ids = [json.loads(line)["id"] for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["a", "c"]
    errors = [json.loads(line) for line in (out / ".cleaner" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(errors) == 3 and all({"id", "source", "stage", "message"} <= set(e) for e in errors)


def test_rules_list_names_every_rule(capsys):
    assert run("rules", "list") == 0
    out = capsys.readouterr().out
    assert "forum/xenforo/reaction-score" in out and "Per-post reaction counter label" in out


def test_rules_check_reports_every_problem_and_exits_1(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(
        "description: d\nrules:\n  - id: x\n    description: y\n    match: {line: [Hi]}\n    acton: drop\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("description: d\nrules:\n  - id: z\n    match: {regex: '(oops'}\n", encoding="utf-8")
    assert run("rules", "check", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'a.yaml'}:6: unknown key 'acton'" in out
    assert f"{tmp_path / 'b.yaml'}:4: bad regex" in out


def test_rules_check_passes_on_builtin_packs(capsys):
    assert run("rules", "check") == 0


def test_broken_extra_rules_stop_clean_with_exit_2(tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.yaml").write_text("description: d\nrules:\n  - id: Bad Id\n", encoding="utf-8")
    assert run("clean", str(SEEDS), "-o", str(tmp_path / "out"), "--rules", str(rules), "--no-progress") == 2
    assert f"{rules / 'x.yaml'}:3:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_disable_takes_a_rule_out_of_the_run(capsys):
    seed = str(next(SEEDS.glob("003_*.txt")))
    assert run("explain", seed, "--color", "never") == 0
    assert "legal/copyright/copyright" in capsys.readouterr().out
    assert run("explain", seed, "--color", "never", "--disable", "legal/copyright") == 0
    assert "legal/copyright/copyright" not in capsys.readouterr().out


def test_explain_shows_each_line_with_its_reason(capsys):
    assert run("explain", str(next(SEEDS.glob("000_*.txt"))), "--color", "never") == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("drop") and "forum/xenforo/reaction-score" in line and line.endswith("| Reaction score") for line in lines)
    assert any(line.startswith("comment") and "This mentality" in line for line in lines)
    assert any(line.startswith("keep") and "WASHINGTON" in line for line in lines)
    assert any(line.startswith("title") for line in lines)
    assert not any("\033[" in line for line in lines)


def test_explain_colours_when_asked(capsys):
    assert run("explain", str(next(SEEDS.glob("001_*.txt"))), "--color", "always") == 0
    assert "\033[31m" in capsys.readouterr().out


def test_progress_bar_silent_when_not_a_terminal(tmp_path, capsys):
    assert run("clean", str(SEEDS), "-o", str(tmp_path / "o"), "-j", "1") == 0
    assert "doc/s" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["clean", "seeds"], ["clean", "seeds", "-o", "x", "-j", "0"]])
def test_bad_arguments_exit_2(argv):
    with pytest.raises(SystemExit) as exc:
        code = run(*argv)
        raise SystemExit(code)
    assert exc.value.code == 2

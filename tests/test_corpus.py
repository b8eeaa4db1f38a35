"""Corpus-level template lines: counting, bounded memory, the two-pass clean, eval and `cleaner mine`."""

from __future__ import annotations

import json

import yaml

from cleaner import corpus
from cleaner.cli import main
from cleaner.rulebook import check_examples, parse_dirs

ARTICLES = [
    ["The council voted on Tuesday to extend the library's opening hours through the winter months.",
     "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
     "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget."],
    ["A storm closed the harbour on Sunday and kept the ferries in port for the whole of the afternoon.",
     "Fishermen said the waves were the highest they had seen since the winter of the great flood.",
     "The coast guard asked people to stay away from the sea wall until the wind had dropped again."],
    ["The school board approved a new timetable that moves the start of lessons to nine in the morning.",
     "Parents had campaigned for the change, saying their children were too tired in the first lessons.",
     "Teachers said they would need more time in the afternoon to fit in the sports and music clubs."],
    ["The bakery on the corner of the market square closed after ninety years in the same family.",
     "Its owner said that rising rents and fewer customers had made it impossible to carry on.",
     "Neighbours left flowers at the door and a note thanking the family for the bread of their childhood."],
]
CHROME = ["Sign up for the Daily Bugle newsletter", "Bugle Media Group 2019", "Follow the Bugle on social media"]


def page(i: int, year: int = 2019) -> str:
    chrome = [c.replace("2019", str(year)) for c in CHROME]
    return "\n\n".join([chrome[0]] + ARTICLES[i] + chrome[1:])


def test_count_form_folds_case_digits_and_space():
    assert corpus.count_form("  Copyright   2019 BUGLE ") == corpus.count_form("copyright 2020 bugle")
    assert corpus.line_key("Copyright 2019") == corpus.line_key("COPYRIGHT 2021")
    assert corpus.line_key("Copyright 2019") != corpus.line_key("Copyright Bugle")


def test_line_keys_agree_with_line_key_and_skip_trivial_lines():
    lines = ["Sign up for the Daily Bugle newsletter", "|", "", "Bugle Media Group 2019"]
    keys = corpus.line_keys(lines)
    assert keys[0] == corpus.line_key(lines[0]) and keys[3] == corpus.line_key(lines[3])
    assert keys[1] == keys[2] == 0  # shorter than MIN_CHARS


def test_a_line_repeated_within_one_page_counts_once():
    counts = corpus.count_texts(["Menu\nMenu\nMenu\nSomething else here"])
    assert counts.counts[corpus.line_key("Menu")] == 1


def test_min_docs():
    counts = corpus.count_texts(page(i) for i in range(4))
    lines = counts.template(min_docs=4)
    found = lines.lines_of(CHROME + [ARTICLES[0][0]])
    assert found == set(range(len(CHROME)))  # every chrome line, not the article's
    assert not counts.template(min_docs=5).keys


def test_counts_stay_bounded_and_keep_frequent_lines():
    counts = corpus.LineCounts(max_keys=50)
    for i in range(200):
        word = "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))
        counts.add(corpus.document_keys(f"unique line {word} of many\nBugle footer line"))
    assert len(counts.counts) <= 50
    assert counts.counts[corpus.line_key("Bugle footer line")] >= 150
    assert counts.floor > 0


def test_merge_adds_counts_and_documents():
    a, b = corpus.count_texts([page(0), page(1)]), corpus.count_texts([page(2)])
    a.merge(b)
    assert a.documents == 3 and a.counts[corpus.line_key(CHROME[2])] == 3


def test_parallel_counting_equals_serial():
    texts = [page(i % 4, 2000 + i) for i in range(40)]
    assert corpus.count_parallel(texts, jobs=2).counts == corpus.count_texts(texts).counts


def test_repr_is_short_for_the_run_fingerprint():
    lines = corpus.count_texts(page(i) for i in range(4)).template(2)
    assert len(repr(lines)) < 120 and "lines=" in repr(lines)


def test_clean_with_corpus_lines_removes_template_lines(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"{i}.txt").write_text(page(i, 2016 + i), encoding="utf-8")
    plain, counted = tmp_path / "plain", tmp_path / "counted"
    assert main(["clean", str(src), "-o", str(plain), "-j", "1", "--no-progress"]) == 0
    assert main(["clean", str(src), "-o", str(counted), "-j", "2", "--no-progress", "--corpus-lines", "--min-docs", "3"]) == 0
    for i in range(4):
        text = (counted / "articles" / f"{i}.txt").read_text(encoding="utf-8")
        assert all(line in text for line in ARTICLES[i])
        assert "Follow the Bugle" not in text and "Media Group" not in text
    report = json.loads((counted / ".cleaner" / "report.json").read_text(encoding="utf-8"))
    assert report["removed"]["heuristic/corpus-template"]["lines"] >= 8


def test_corpus_lines_refuse_standard_input(tmp_path):
    assert main(["clean", "-", "-o", str(tmp_path / "o"), "--corpus-lines", "--no-progress"]) == 2


def test_eval_corpus_lines(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": str(i), "page_text": page(i), "gold_article": "\n".join(ARTICLES[i]),
                                        "gold_comments": None}) + "\n" for i in range(4)), encoding="utf-8")
    assert main(["eval", str(gold), "--mode", "text", "--corpus-lines", "--min-docs", "3", "--worst", "0"]) == 0
    out = capsys.readouterr()
    assert "corpus lines:" in out.err and "cleaner" in out.out


def test_mine_proposes_a_valid_pack_with_counts_and_samples(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"{i}.txt").write_text(page(i, 2016 + i), encoding="utf-8")
    pack_dir = tmp_path / "rules"
    pack_dir.mkdir()
    out = pack_dir / "mined.yaml"
    assert main(["mine", str(src), "--min-docs", "3", "-o", str(out), "-j", "1"]) == 0
    pack = yaml.safe_load(out.read_text(encoding="utf-8"))
    texts = [r["examples"]["drop"][0] for r in pack["rules"]]
    assert CHROME[2] in texts
    assert CHROME[0] not in texts  # lang/en/newsletter already drops it
    assert any(t.startswith("Bugle Media Group") for t in texts)  # a year in the line: proposed as a regex
    for rule in pack["rules"]:
        assert "of 4 documents" in rule["description"] and ".txt" in rule["description"]
    rules, _packs, problems = parse_dirs([pack_dir])
    assert not problems and all(not check_examples(rule) for rule in rules)


def test_mine_leaves_out_lines_a_rule_already_handles(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"{i}.txt").write_text("Back to top\n\n" + "\n\n".join(ARTICLES[i]), encoding="utf-8")
    out = tmp_path / "mined.yaml"
    assert main(["mine", str(src), "--min-docs", "2", "-o", str(out), "-j", "1"]) == 0
    assert not (yaml.safe_load(out.read_text(encoding="utf-8"))["rules"] or [])

"""Properties of the text path over generated documents (Hypothesis, bounded examples).

- Nothing crashes and nothing is lost: every line of the input ends up in the article (or the
  title), removed with a reason, or in the comment thread, and the pieces put back together
  give the input line (modulo whitespace: strip rules and joins normalise it).
- -j1 and -j2 write the same bytes.
Idempotence (cleaning the output again changes nothing) is generated in tests/test_inplace.py.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner.model import Cleaned, Document, Kind, Label
from cleaner.rulebook import load
from cleaner.runner import RunConfig, run
from cleaner.lines import normalise

PROSE = [
    "The council voted on Tuesday to extend the library's opening hours through the winter.",
    "Residents had asked for longer hours since the reading room was refurbished last year.",
    "\u201cWe listened,\u201d said the chair, who promised a review of the budget in March.",
    "Die Stadt hat am Dienstag beschlossen, die Öffnungszeiten der Bibliothek zu verlängern.",
    "Prices rose 3.2% in May, the statistics office said, driven by energy and food.",
    "Straße und Maß: STRASSE, straße — İstanbul'da ıslak İİ ﬁnance ﬂow, and the ǅ digraph.",
    "שלום עולם, זהו טקסט מימין לשמאל עם מספרים 123 ועם English words inside the sentence.",
    "Combining marks: e\u0301 a\u0308 o\u0302\u0323 Z\u0335\u0321a\u0336l\u0337g\u0338o, and \u202eoverride\u202c here.",
]
THREAD = ["12 Comments", "Leave a Reply", "Ann says:", "John Smith July 3, 2012 at 4:19 pm", "Reply", "Quote",
          "I have been going to that library for years and this is wonderful news for the students."]
SPACE = ["", "", " ", "\t", "\u3000", "\xa0"]


def _rule_lines() -> list[str]:
    """Lines every built-in rule acts on, from its own examples: drops, strips, truncates, thread marks."""
    lines = []
    for rule in load().rules:
        if rule.kind == "selector":
            continue
        for action, examples in rule.examples.items():
            if action != "keep":
                lines += [e if isinstance(e, str) else e.get("in") for e in examples or ()]
    return sorted({x for x in lines if isinstance(x, str) and "\n" not in x})


RULE_LINES = _rule_lines()
line = st.one_of(
    st.sampled_from(PROSE), st.sampled_from(RULE_LINES), st.sampled_from(THREAD), st.sampled_from(SPACE),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PROSE), st.sampled_from(RULE_LINES)),
)
documents = st.builds(lambda lines, nl, tail: nl.join(lines) + tail,
                      st.lists(line, min_size=1, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]),
                      st.sampled_from(["", "\n", "  \n\n"]))


def squeeze(text: str) -> str:
    return "".join(text.split())


def account(content: str, result: Cleaned) -> None:
    """Every input line is kept, removed with a reason, or in the thread; the pieces give the line back."""
    source = normalise(content).split("\n")
    removed = {}
    for r in result.removed:
        removed.setdefault(r.line, []).append(r)
    seen = set()
    kept, comments = [], []
    for line in result.lines:
        seen.add(line.no)
        original = source[line.no - 1]
        if not original.strip():
            continue
        assert line.label is not Label.UNDECIDED, f"line {line.no} has no fate: {original!r}"
        pieces = [r.text for r in removed.get(line.no, [])]
        # what a strip rule removed is a piece of the line as it stood; a line stripped and then dropped
        # records last what was left of it, which is the line minus the strips
        cut = pieces[:-1] if line.label is Label.DROP and len(pieces) > 1 else pieces
        for piece in cut:
            assert piece and squeeze(piece) in squeeze(original), (line.no, piece, original)
        if line.label is Label.DROP:
            assert line.reason, f"line {line.no} left without a reason: {original!r}"
            assert pieces, f"line {line.no} dropped by {line.reason} but not recorded as removed"
        else:
            pieces.append(line.text)
            (kept if line.label in (Label.KEEP, Label.TITLE) else comments).append(line)
        assert Counter(squeeze("".join(pieces))) == Counter(squeeze(original)), (line.no, original, pieces)
    missing = [i + 1 for i, text in enumerate(source) if i + 1 not in seen and text.strip()]
    assert not missing, f"lines lost: {missing}"
    assert set(removed) <= seen
    body = [ln for ln in kept if ln.label is Label.KEEP]
    assert squeeze(result.text) == squeeze("".join(ln.text for ln in body))
    titles = [ln.text.strip() for ln in kept if ln.label is Label.TITLE]
    assert result.title == (titles[0] if titles else result.title)
    thread = squeeze("".join(p.text for p in result.comments))
    for ln in comments:
        assert squeeze(ln.text) in thread, f"comment line {ln.no} is in no post: {ln.text!r}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=documents)
def test_the_text_path_accounts_for_every_line(cleaner, content):
    result = cleaner.clean(Document("generated", Kind.TEXT, content))
    account(content, result)


def test_accounting_holds_on_every_seed(cleaner):
    from conftest import SEEDS

    for seed in sorted(SEEDS.glob("*.txt")):
        content = seed.read_text(encoding="utf-8")
        account(content, cleaner.clean(Document(seed.name, Kind.TEXT, content)))


# --------------------------------------------------------------------------- -j1 and -j2

records = st.lists(st.one_of(
    st.builds(lambda i, doc: json.dumps({"id": i, "text": doc}, ensure_ascii=False), st.sampled_from(["a", "b", "a", "../x"]), documents),
    st.sampled_from(["{broken", "[1]", json.dumps({"id": "n"}), json.dumps({"id": "h", "html": "<p>" + PROSE[0] + "</p>"})]),
), min_size=1, max_size=30)


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.rglob("*") if p.is_file() and (".cleaner" not in p.parts or p.name == "errors.jsonl")}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.data_too_large])
@given(lines=records, texts=st.lists(documents, max_size=4), shard=st.sampled_from([None, 3, 7]))
def test_one_and_two_processes_write_the_same_bytes(tmp_path_factory, lines, texts, shard):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i, text in enumerate(texts):
        (corpus / f"doc{i}.txt").write_text(text, encoding="utf-8")
    outs = {}
    for jobs in (1, 2):
        out = tmp_path_factory.mktemp(f"out{jobs}")
        report = run(RunConfig(inputs=(str(corpus),), out=out, jobs=jobs, progress=False, shard_size=shard))
        assert report.documents_in == report.documents_out + report.documents_failed
        summary = json.loads((out / ".cleaner" / "report.json").read_text(encoding="utf-8"))
        summary.pop("seconds")
        outs[jobs] = (tree(out), summary)
    assert outs[1] == outs[2]

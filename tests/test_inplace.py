"""In-place mode: fix rewrites what clean would write, check changes nothing, both are idempotent."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import inplace
from cleaner.cli import main
from cleaner.config import Config
from cleaner.model import Document, Kind
from cleaner.rulebook import load
from conftest import EVAL_DIR, SEEDS, snapshot

EVAL_SETS = ("scrapinghub", "cleaneval", "dragnet-train")
EVAL_SAMPLE = 40  # pages per set: a spread sample, to keep the file quick


@pytest.fixture
def corpus(seed_corpus):
    return seed_corpus


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["--version"] if not argv else list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --------------------------------------------------------------------------- fix


def test_fix_writes_what_clean_writes_and_reports_each_file(corpus, tmp_path, capsys):
    status, out, _ = cli(capsys, "clean", str(corpus), "-o", str(tmp_path / "out"), "-j", "1", "--no-progress")
    assert status == 0
    names = sorted(p.name for p in corpus.glob("*.txt"))

    status, out, err = cli(capsys, "fix", "corpus")
    assert status == 1
    assert out.splitlines() == [f"Fixing corpus/{name}" for name in names]
    for name in names:
        assert (corpus / name).read_bytes() == (tmp_path / "out" / "articles" / name).read_bytes()
        comments = tmp_path / "out" / "comments" / (Path(name).stem + ".jsonl")
        sidecar = corpus / f"{name}.comments.jsonl"
        assert sidecar.exists() == comments.exists()
        if comments.exists():
            assert sidecar.read_bytes() == comments.read_bytes()
    assert any(corpus.glob("*.comments.jsonl")), "the seeds hold at least one comment thread"


def test_fix_then_check_passes_and_fix_again_changes_nothing(corpus, capsys):
    assert cli(capsys, "fix", "corpus")[0] == 1
    fixed = snapshot(corpus)
    status, out, err = cli(capsys, "check", "corpus")
    assert (status, out) == (0, "")
    assert "already clean" in err
    status, out, _ = cli(capsys, "fix", "corpus")
    assert (status, out) == (0, "")
    assert snapshot(corpus) == fixed  # sidecars included: a clean file's thread is left alone


def test_sidecar_name_is_configurable_and_can_be_off(corpus, capsys):
    (corpus.parent / "cleaner.yaml").write_text("comments: '{stem}.thread.jsonl'\n", encoding="utf-8")
    assert cli(capsys, "fix", "corpus")[0] == 1
    assert list(corpus.glob("*.thread.jsonl")) and not list(corpus.glob("*.comments.jsonl"))
    for path in corpus.glob("*.thread.jsonl"):
        assert all(json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines())

    other = corpus.parent / "again"
    shutil.copytree(SEEDS, other, ignore=shutil.ignore_patterns("*.jsonl"))
    assert cli(capsys, "fix", "again", "--no-comments")[0] == 1
    assert sorted(p.suffix for p in other.iterdir()) == [".txt"] * len(list(SEEDS.glob("*.txt")))


# --------------------------------------------------------------------------- check


def test_check_changes_nothing_and_names_rule_ids(corpus, capsys, cleaner):
    before = snapshot(corpus)
    status, out, _ = cli(capsys, "check", "corpus")
    assert status == 1
    assert snapshot(corpus) == before
    listed = dict(line.split(": ", 1) for line in out.splitlines())
    assert sorted(listed) == sorted(f"corpus/{p.name}" for p in corpus.glob("*.txt"))
    for name, reasons in listed.items():
        cleaned = cleaner.clean(Document(name, Kind.TEXT, (corpus.parent / name).read_text(encoding="utf-8")))
        for removal in cleaned.removed:
            assert removal.rule in reasons  # every rule that removed text is named
        if cleaned.comments:
            assert "comments (" in reasons


def test_check_diff_is_a_patch_that_fix_agrees_with(corpus, tmp_path, capsys):
    if shutil.which("patch") is None:
        pytest.skip("no patch(1) on this machine")
    status, out, err = cli(capsys, "check", "corpus", "--diff")
    assert status == 1
    assert out.startswith("--- corpus/") and "+++ corpus/" in out
    assert "corpus/" in err  # the listing goes to stderr so stdout is only the patch
    patched = tmp_path / "patched"
    shutil.copytree(corpus, patched / "corpus")
    subprocess.run(["patch", "-p0", "-s"], input=out.encode(), cwd=patched, check=True)
    cli(capsys, "fix", "corpus", "--no-comments")
    assert snapshot(patched / "corpus") == snapshot(corpus)


def test_missing_final_newline_and_crlf_are_normalised(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    clean = tmp_path / "clean.txt"
    clean.write_text("A quiet title\n\nThe committee met on Tuesday and agreed to publish the full report next spring.\n",
                     encoding="utf-8")
    assert cli(capsys, "fix", "clean.txt")[0] in (0, 1)
    settled = clean.read_bytes()
    assert cli(capsys, "check", "clean.txt")[0] == 0
    clean.write_bytes(settled.rstrip(b"\n").replace(b"\n", b"\r\n"))
    status, out, _ = cli(capsys, "check", "clean.txt", "--diff")
    assert status == 1 and "\\ No newline at end of file" in out
    assert cli(capsys, "fix", "clean.txt")[0] == 1
    assert clean.read_bytes() == settled


# --------------------------------------------------------------------------- errors and atomicity


def test_errors_exit_2_and_leave_files_alone_while_others_are_fixed(corpus, capsys):
    binary = corpus / "scan.txt"
    binary.write_bytes(b"\x00\x01PDF\x00" * 10)
    empty = corpus / "empty.txt"
    empty.write_bytes(b"")
    status, out, err = cli(capsys, "fix", "corpus", "corpus/missing.txt", "corpus/batch.jsonl")
    assert status == 2
    assert binary.read_bytes() == b"\x00\x01PDF\x00" * 10 and empty.read_bytes() == b""
    assert "scan.txt: binary file" in err
    assert "missing.txt: no such file" in err
    assert "batch.jsonl: in-place mode cleans .txt and .html" in err
    assert len(out.splitlines()) == len(list(SEEDS.glob("*.txt")))  # the good files were still fixed
    assert cli(capsys, "check", "corpus/empty.txt")[0] == 0  # nothing to clean in an empty file


@pytest.mark.parametrize("failure", ["rename", "disk-full"])
def test_a_failed_write_leaves_the_original_untouched(corpus, capsys, monkeypatch, failure):
    import cleaner.io.writers as cio

    target = sorted(corpus.glob("*.txt"))[0]
    before = snapshot(corpus)
    if failure == "rename":
        def broken(*_args, **_kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(cio.os, "replace", broken)
    else:
        real_fdopen = os.fdopen

        class HalfWriter:
            """Half the bytes land, then the disk is full."""

            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()
                return False

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")

        def fdopen(fd, *args, **kwargs):
            return HalfWriter(real_fdopen(fd, *args, **kwargs))

        monkeypatch.setattr(cio.os, "fdopen", fdopen)
    status, out, err = cli(capsys, "fix", str(target))
    assert status == 2
    assert "No space left on device" in err and "left as it was" in err
    assert snapshot(corpus) == before  # no half-written file, no temp file left behind


def test_html_becomes_txt_beside_it(tmp_path, monkeypatch, capsys):
    pytest.importorskip("cleaner.html")
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Harbour news</title></head><body><nav>Home | About | Contact</nav>"
                    "<article><h1>Harbour reopens after storm</h1><p>The harbour reopened on Monday after a week of "
                    "repairs to the breakwater, and the first ferries arrived on time.</p><p>Fishermen said the "
                    "repairs were overdue and welcomed the quick work of the crews.</p></article>"
                    "<footer>Copyright 2024 Harbour Times</footer></body></html>", encoding="utf-8")
    status, out, _ = cli(capsys, "check", "page.html")
    assert status == 1 and "html-to-txt" in out and page.exists()
    assert cli(capsys, "fix", "page.html")[0] == 1
    assert not page.exists()
    text = (tmp_path / "page.txt").read_text(encoding="utf-8")
    assert "breakwater" in text and "Home | About" not in text
    assert cli(capsys, "check", "page.txt")[0] == 0


def test_html_never_overwrites_an_existing_txt(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.html").write_text("<p>hello</p>", encoding="utf-8")
    (tmp_path / "page.txt").write_text("mine\n", encoding="utf-8")
    status, _, err = cli(capsys, "fix", "page.html")
    assert status == 2 and "page.txt already exists" in err
    assert (tmp_path / "page.txt").read_text(encoding="utf-8") == "mine\n" and (tmp_path / "page.html").exists()


def test_fix_keeps_the_file_mode(corpus, capsys):
    target = sorted(corpus.glob("*.txt"))[0]
    target.chmod(0o640)
    assert cli(capsys, "fix", str(target))[0] == 1
    assert target.stat().st_mode & 0o777 == 0o640


def test_excludes_apply_to_named_files_and_walked_folders(corpus, capsys):
    drafts = corpus / "drafts"
    drafts.mkdir()
    first = sorted(corpus.glob("*.txt"))[0]
    shutil.copy(first, drafts / "wip.txt")
    (corpus.parent / "cleaner.yaml").write_text(f"exclude: [drafts, '{first.name}']\n", encoding="utf-8")
    status, out, _ = cli(capsys, "check", "corpus", "corpus/drafts/wip.txt", str(first))
    assert status == 1
    assert "drafts" not in out and first.name not in out
    assert len(out.splitlines()) == len(list(SEEDS.glob("*.txt"))) - 1


def test_parallel_jobs_give_the_same_files(corpus, tmp_path, capsys):
    serial = tmp_path / "serial"
    shutil.copytree(corpus, serial)
    assert cli(capsys, "fix", "serial")[0] == 1
    assert cli(capsys, "fix", "corpus", "-j", "2")[0] == 1
    assert snapshot(corpus) == snapshot(serial)


# --------------------------------------------------------------------------- idempotence


def fix_once(cleaner, content: str) -> str:
    """What fix writes for this content, through the same verdict the commands use."""
    path = Path("doc.txt")
    v = inplace.verdict(path, content, cleaner.clean(Document("doc.txt", Kind.TEXT, content)))
    return v.after if v.changed else content


def assert_idempotent(cleaner, content: str) -> None:
    once = fix_once(cleaner, content)
    if not once.strip():
        return  # an emptied file is left alone from then on
    twice = inplace.verdict(Path("doc.txt"), once, cleaner.clean(Document("doc.txt", Kind.TEXT, once)))
    assert not twice.changed, f"fix is not idempotent; second pass: {twice.reasons}\n--- first pass:\n{once}"


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_fix_is_idempotent_on_every_seed(cleaner, seed):
    assert_idempotent(cleaner, (SEEDS / seed).read_text(encoding="utf-8"))


def eval_records(name: str, n: int, offset: float = 0.0) -> list[dict]:
    """Every k-th page of a gold set, starting `offset` of a step in (only the chosen lines are parsed)."""
    path = EVAL_DIR / f"{name}.jsonl.gz"
    if not path.exists():
        pytest.skip(f"gold data not found at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    step = max(1, len(lines) // n)
    return [json.loads(line) for line in lines[int(step * offset)::step][:n]]


def eval_sample(name: str, n: int = EVAL_SAMPLE) -> list[tuple[str, str]]:
    return [(r["id"], r["page_text"]) for r in eval_records(name, n)]


@pytest.mark.parametrize("page_id", ["final-369", "final-715"])
def test_product_listings_that_erode_pass_by_pass_settle(cleaner, page_id):
    """Two cleaneval listings lost a dozen lines on every re-clean: settle must run until they stop."""
    path = EVAL_DIR / "cleaneval.jsonl.gz"
    if not path.exists():
        pytest.skip(f"gold data not found at {path}")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        text = next(json.loads(line)["page_text"] for line in fh if f'"id": "{page_id}"' in line)
    assert_idempotent(cleaner, text)


@pytest.mark.parametrize("name", EVAL_SETS)
def test_fix_then_check_passes_on_eval_pages(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / name
    root.mkdir()
    for i, (_id, text) in enumerate(eval_sample(name)):
        (root / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    config = Config(root=tmp_path)
    from cleaner.pipeline import Cleaner

    cleaner = Cleaner(config.options())
    sink = io.StringIO()
    assert inplace.fix([root], config, cleaner, out=sink, err=sink) == inplace.EXIT_CHANGED
    report = io.StringIO()
    assert inplace.check([root], config, cleaner, out=report, err=io.StringIO()) == inplace.EXIT_CLEAN, report.getvalue()


def test_fixed_html_pages_are_clean_txt(tmp_path, monkeypatch):
    pytest.importorskip("cleaner.html")
    monkeypatch.chdir(tmp_path)
    pages = [(f"{name}-{i}", html) for name in EVAL_SETS for i, html in enumerate(eval_html(name, 4))]
    for stem, html in pages:
        (tmp_path / f"{stem}.html").write_text(html, encoding="utf-8")
    config = Config(root=tmp_path)
    from cleaner.pipeline import Cleaner

    cleaner = Cleaner(config.options())
    sink = io.StringIO()
    assert inplace.fix([tmp_path], config, cleaner, out=sink, err=sink) == inplace.EXIT_CHANGED, sink.getvalue()
    assert not list(tmp_path.glob("*.html")) and len(list(tmp_path.glob("*.txt"))) == len(pages)
    report = io.StringIO()
    assert inplace.check([tmp_path], config, cleaner, out=report, err=io.StringIO()) == inplace.EXIT_CLEAN, report.getvalue()


def eval_html(name: str, n: int) -> list[str]:
    return [r["html"] for r in eval_records(name, n, offset=0.5)]


def _chrome_lines() -> list[str]:
    """Lines the built-in rules act on, taken from their own examples."""
    lines = []
    for rule in load().rules:
        for action, examples in rule.examples.items():
            if action != "keep":
                lines.extend(e for e in examples or () if isinstance(e, str) and "\n" not in e)
    return sorted(set(lines))


CHROME = _chrome_lines()
PROSE = [
    "The council voted on Tuesday to extend the library's opening hours through the winter.",
    "Residents had asked for longer hours since the reading room was refurbished last year.",
    "\u201cWe listened,\u201d said the chair, who promised a review of the budget in March.",
    "Die Stadt hat am Dienstag beschlossen, die Öffnungszeiten der Bibliothek zu verlängern.",
    "Le conseil a voté mardi pour prolonger les horaires de la bibliothèque pendant l'hiver.",
    "Prices rose 3.2% in May, the statistics office said, driven by energy and food.",
    "It was, by most accounts, the quietest session of the year",
]
SHORT = ["Home", "Share this:", "Related", "Menu", "Posted by admin", "12 comments", "Tags: news, city",
         "NewsSportWeatherCulture", "Harbour Reopens After Storm", "Reply", "Quote", "Top", "Bottom", "© 2024"]
SPACE = ["", "", " ", "\t", "   "]

P = "The council voted on Tuesday to extend the library's opening hours through the winter."

# Documents whose second pass once differed, each the smallest example of its cause; all are
# solved by text.settle, which cleans the written result again until nothing changes.
REGRESSIONS: dict[str, str] = {
    # the written file puts the title first and a blank line after it; re-read in that shape the
    # page picked another title and a head heuristic dropped the first one
    "title-reread": "\n".join(["Posted by admin", P, "It was, by most accounts, the quietest session of the year",
                               "Home", "", P, "Home"]),
    # a chrome line in another script made the first pass read the page as Persian; the cleaned
    # page reads as English and takes its first line as title, which the file writes apart
    "language-flip": "\n".join(["Next Post", "این سایت از کوکی\u200cها استفاده می\u200cکند", P]),
}


@pytest.mark.parametrize("case", sorted(REGRESSIONS))
def test_former_non_idempotent_examples(cleaner, case):
    assert_idempotent(cleaner, REGRESSIONS[case])


def test_stray_bom_mid_document_is_idempotent(cleaner):
    assert_idempotent(cleaner, "Home\n\ufeff\nIt was, by most accounts, the quietest session of the year")


line_strategy = st.one_of(
    st.sampled_from(PROSE), st.sampled_from(SHORT), st.sampled_from(CHROME), st.sampled_from(SPACE),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(["\ufeff", "\x0c", "\x85", "\u2028", "e\u0301", "\xa0", "\u200b", " \t", "\u3000"]),
)


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(lines=st.lists(line_strategy, min_size=1, max_size=40),
       newline=st.sampled_from(["\n", "\r\n"]), trail=st.sampled_from(["", "\n", "  \n\n"]))
def test_fix_is_idempotent_on_generated_documents(cleaner, lines, newline, trail):
    content = newline.join(lines) + trail
    assert_idempotent(cleaner, content)


def test_fixing_a_text_file_loads_neither_lxml_nor_numpy(tmp_path):
    """Start-up of the pre-commit hook: the text path never imports the HTML stack or numpy (a third of it)."""
    import sys

    page = tmp_path / "page.txt"
    page.write_text("Home | News | Sport\n\n" + "The council met on Tuesday and voted to rebuild the old bridge. " * 5 + "\n\nBack to top\n")
    code = ("import sys\nfrom cleaner.cli import main\ntry:\n    main(['fix', sys.argv[1], '--isolated'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('lxml', 'numpy', 'cssselect', 'trafilatura') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(page)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "Back to top" not in page.read_text()

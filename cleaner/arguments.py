"""The command line's arguments: every subcommand, its flags, and the types that check their values.

A bad value is a usage error (exit 2) that names the flag; cli.py runs the commands.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path


def _rule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule directory (repeatable)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE_ID", help="disable a rule or a whole pack")
    p.add_argument("--no-builtin-rules", action="store_true", default=None, help="use only the --rules directories")
    p.add_argument("--models", metavar="DIR", help="the learned parts' model files from this folder (`cleaner train -o DIR`) "
                   "instead of the shipped ones")
    _config_args(p)


def _config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="use this cleaner.yaml or pyproject.toml, not the nearest one")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")


def byte_size(text: str) -> int:
    """A size such as 20000000, 20MB, 20M, 512k or 1GiB (k, M, G are powers of 1000; KiB, MiB, GiB of 1024)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?)b?\s*", text, re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 20MB or 20000000)")
    power = " kmg".index(m.group(2).lower() or " ")
    return int(float(m.group(1)) * (1024 if m.group(3) else 1000) ** power)


def share_value(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a share above 0 and at most 1, e.g. 0.5; got {text!r}")
    return value


def _guard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-bytes", type=byte_size, metavar="SIZE",
                   help="largest document cleaned, e.g. 20MB (default); a larger one is reported as failed, not truncated; 0: no limit")
    p.add_argument("--max-rule-share", type=share_value, metavar="SHARE",
                   help="a rule that would remove more than this share of a document's prose is held back there (default 0.5)")


def _scale_args(p: argparse.ArgumentParser) -> None:
    """Flags of `clean` for corpus-scale runs: discovery, sharded output, the Ray engine."""
    p.add_argument("--glob", metavar="PATTERN", help="only files under directories that match, e.g. '*.warc.gz'")
    p.add_argument("--shard-size", type=at_least(1), metavar="N", help="write OUT/part-NNNNN.jsonl.zst shards of N records")
    p.add_argument("--compression", choices=["none", "gz", "zst"], help="compression of shards or stdout (default: zst for shards)")
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="local processes, or a Ray Data job")
    p.add_argument("--ray-address", metavar="ADDR", help="Ray cluster to join (default: RAY_ADDRESS or a local Ray)")
    p.add_argument("--output-format", choices=["jsonl", "parquet"], default="jsonl",
                   help="records as JSONL, or as Parquet with the same columns (the `parquet` extra)")


def _names(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if not names:
        raise argparse.ArgumentTypeError(f"expected field names separated by commas, got {text!r}")
    return names


def at_least(low: int):
    """An argparse type for counts: a bad value is a usage error (exit 2) naming the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


class VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for (importlib.metadata is slow to import)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .distribution import version

        print(f"cleaner {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleaner", description="Strip page chrome from scraped documents; separate comments.")
    parser.add_argument("--version", action=VersionAction, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)

    _clean_parser(sub)

    p = sub.add_parser("explain", help="show each line of a document: kept, removed and why, or comment")
    p.add_argument("file", type=Path)
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--id", metavar="ID", help="explain the record with this id of a JSONL file")
    p.add_argument("--text-field", help="JSONL field holding plain text (default: text)")
    p.add_argument("--html-field", help="JSONL field holding raw HTML (default: html)")
    p.add_argument("--id-field", help="JSONL field holding the document id (default: id)")
    _guard_args(p)
    _rule_args(p)

    p = sub.add_parser("rules", help="list or check rule packs")
    rsub = p.add_subparsers(dest="rules_command", required=True)
    q = rsub.add_parser("list", help="print every rule id with its description")
    q.add_argument("--format", choices=["text", "markdown"], default="text", help="markdown: the rules reference, docs/rules.md")
    _rule_args(q)
    q = rsub.add_parser("check", help="validate rule files and run their examples")
    q.add_argument("dirs", nargs="*", type=Path, metavar="DIR", help="rule directories (default: the built-in packs and the config's)")
    _config_args(q)
    q = rsub.add_parser("audit", help="each rule's effect on every gold set: F1 with the rule minus F1 without")
    q.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl[.gz]")
    q.add_argument("--mode", choices=["html", "text", "both"], default="both")
    q.add_argument("--rule", action="append", default=[], metavar="RULE_ID", help="audit only these rules (repeatable)")
    _gold_args(q)
    _rule_args(q)

    p = sub.add_parser("eval", help="score against gold records (../shared/eval format), several sets in one run")
    p.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl[.gz]")
    p.add_argument("--mode", choices=["html", "text", "both"], default="html")
    p.add_argument("--baseline", choices=["trafilatura"], action="append", default=[])
    p.add_argument("--cache", type=Path, metavar="DIR", help="keep the baselines' predictions here (per version) and reuse them")
    p.add_argument("--baselines-only", action="store_true", help="score the baselines alone (e.g. to fill --cache)")
    _gold_args(p)
    p.add_argument("--worst", type=int, default=None, metavar="N",
                   help="list this many worst pages per set (default: 10 for one set, none for several)")
    _corpus_args(p)
    _rule_args(p)

    _train_parser(sub)
    _mine_parser(sub)
    _inplace_parsers(sub)
    return parser


def _clean_parser(sub) -> None:
    """`cleaner clean`: the corpus run."""
    p = sub.add_parser("clean", help="clean files, directories or JSONL into OUT")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="a directory, a URL (s3://, gs://, hf://, file://) or - for stdout")
    p.add_argument("-j", "--jobs", type=at_least(1), default=os.cpu_count() or 1, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--text-field", help="JSONL field holding plain text (default: text)")
    p.add_argument("--html-field", help="JSONL field holding raw HTML (default: html)")
    p.add_argument("--id-field", help="JSONL field holding the document id (default: id)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds allowed per HTML document (default: 30)")
    p.add_argument("--keep-fields", type=_names, metavar="F,F", help="the only input fields carried into metadata")
    p.add_argument("--drop-fields", type=_names, default=(), metavar="F,F", help="input fields left out of metadata")
    p.add_argument("--max-failures", type=at_least(1), metavar="N", help="stop the run after N failed documents")
    p.add_argument("--format", choices=["text", "markdown"], default="text", dest="text_format",
                   help="the article as plain text, or as Markdown with headings, lists and tables")
    p.add_argument("--links", action="store_true", help="with --format markdown: keep links")
    p.add_argument("--source", metavar="NAME", help="the records' dolma `source` (default: each input's name)")
    p.add_argument("--no-removed", action="store_true", help="leave `removed` and its `attributes` spans out of the records")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    _corpus_args(p)
    _guard_args(p)
    _scale_args(p)
    _rule_args(p)


def _train_parser(sub) -> None:
    """`cleaner train`: fit the learned parts."""
    p = sub.add_parser("train", help="fit the learned parts on gold records and write their model files")
    p.add_argument("gold", nargs="+", type=Path, metavar="GOLD.jsonl[.gz]")
    p.add_argument("-o", "--out", required=True, type=Path, metavar="DIR",
                   help="folder for the model files (with --held-out-all: one subfolder per group)")
    held = p.add_mutually_exclusive_group()
    held.add_argument("--hold-out", metavar="GROUP", help="leave out the pages of this group (a set, or wcxb-dev.0/.1)")
    held.add_argument("--held-out-all", action="store_true", help="one fit per group without it, into OUT/<GROUP>/")
    p.add_argument("--part", action="append", default=None, metavar="NAME", help="train only this learned part (repeatable)")
    p.add_argument("--cache", type=Path, metavar="DIR", help="keep per-line feature rows here to reuse across runs")
    p.add_argument("--types-from", type=Path, metavar="ROOT",
                   help="type each page, for parts that read page types, with the page-type model in ROOT/<its group> "
                        "(`cleaner train --held-out-all -o ROOT`), one that never saw it")


def _mine_parser(sub) -> None:
    """`cleaner mine`: propose rules for lines a corpus repeats."""
    p = sub.add_parser("mine", help="propose YAML rules for lines many documents share (for a person to review)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--min-docs", type=at_least(2), default=None, metavar="N", help="documents a line must recur in (default: 3)")
    p.add_argument("--top", type=at_least(1), default=100, metavar="N", help="propose at most N rules, most widespread first")
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write the pack here instead of stdout")
    p.add_argument("-j", "--jobs", type=at_least(1), default=os.cpu_count() or 1, metavar="N", help="processes for counting")
    p.add_argument("--text-field", default="text", help="JSONL field holding plain text (default: text)")
    p.add_argument("--glob", metavar="PATTERN", help="only files under directories that match")
    _rule_args(p)


def _gold_args(p: argparse.ArgumentParser) -> None:
    """Flags of the commands that score gold sets: eval and rules audit."""
    p.add_argument("--limit", type=at_least(1), default=None, metavar="N", help="score the first N pages of each set")
    p.add_argument("--held-out-models", type=Path, metavar="ROOT",
                   help="score each page with the models in ROOT/<its group> (`cleaner train --held-out-all -o ROOT`)")
    p.add_argument("--json", type=Path, dest="json_out", metavar="OUT", help="write the figures and every page's scores here")
    p.add_argument("-j", "--jobs", type=at_least(1), default=2, metavar="N", help="worker processes (default: 2)")


def _corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus-lines", action="store_true",
                   help="first count lines over all inputs; lines that recur in many documents are template chrome")
    p.add_argument("--min-docs", type=at_least(2), default=None, metavar="N",
                   help="with --corpus-lines: documents a line must recur in to count as template (default: 3)")


def _inplace_parsers(sub) -> None:
    """fix, check and config: in-place cleaning for corpora kept in git (see cleaner/inplace.py)."""
    for name, text in (("fix", "clean .txt files in place (.html becomes .txt); exit 1 if any changed"),
                       ("check", "change nothing; list files fix would change (exit 1), --diff shows how")):
        p = sub.add_parser(name, help=text)
        p.add_argument("paths", nargs="+", metavar="FILE", help="files or folders (folders: every .txt/.html inside)")
        p.add_argument("-j", "--jobs", type=at_least(1), default=1, metavar="N", help="worker processes (default: 1)")
        p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave matching paths alone (repeatable)")
        p.add_argument("--comments", metavar="TEMPLATE", help="sidecar name for comment threads (default: {name}.comments.jsonl)")
        p.add_argument("--no-comments", action="store_true", help="write no comment sidecar")
        p.add_argument("--timeout", type=float, default=30.0, help="seconds allowed per HTML document (default: 30)")
        if name == "check":
            p.add_argument("--diff", action="store_true", help="print a unified diff of what fix would write")
        _rule_args(p)
    p = sub.add_parser("config", help="print the resolved project config and where each value came from")
    p.add_argument("--json", action="store_true", help="as JSON: {key: {value, source}}")
    for flag in ("--text-field", "--html-field", "--id-field", "--comments"):
        p.add_argument(flag, help="see how this flag overrides the config")
    p.add_argument("--no-comments", action="store_true", help="see how this flag overrides the config")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="see how this flag overrides the config")
    _rule_args(p)

"""The command line: clean, explain, rules list|check, eval, train, fix, check, config.

Exit status: 0 all good, 1 some document failed (or a check found problems), 2 bad
arguments or unreadable rules.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import pagetype
from .io.discover import DEFAULT_SIDECAR, suffix_of
from .io.readers import read_file
from .io.writers import printable
from .model import Document, Kind, Label, Where
from .pipeline import Cleaner, Options
from .rulebook import builtin_rules_dir, check_examples, parse_dirs
from .rulebook.regexlint import rule_warnings
from .rulebook.yamlfile import FileProblems

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _rule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule directory (repeatable)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE_ID", help="disable a rule or a whole pack")
    p.add_argument("--no-builtin-rules", action="store_true", default=None, help="use only the --rules directories")
    _config_args(p)


def _config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="use this cleaner.yaml or pyproject.toml, not the nearest one")
    p.add_argument("--isolated", action="store_true", help="ignore every config file")


def _config(args: argparse.Namespace):
    """The project config (cleaner.yaml or [tool.cleaner]) with this command's flags on top."""
    from .config import resolve

    if getattr(args, "_resolved", None) is None:
        args._resolved = resolve(args)
    return args._resolved


def _options(args: argparse.Namespace) -> Options:
    options = _config(args).options(timeout=getattr(args, "timeout", 30.0))
    if getattr(args, "max_bytes", None) is not None:
        options = replace(options, max_bytes=args.max_bytes)
    if getattr(args, "text_format", "text") != "text" or getattr(args, "links", False):
        options = replace(options, text_format=args.text_format, links=args.links)
    share = getattr(args, "max_rule_share", None)
    if share is not None:  # one share for every rule: truncate cuts are guarded by the same figure
        options = replace(options, max_rule_share=share, thresholds=replace(options.thresholds, max_truncate_share=share))
    return options


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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"clean": cmd_clean, "explain": cmd_explain, "rules": cmd_rules, "eval": cmd_eval,
               "fix": cmd_inplace, "check": cmd_inplace, "config": cmd_config, "mine": cmd_mine,
               "train": cmd_train}[args.command]
    try:
        return handler(args)
    except FileProblems as exc:  # broken rule packs or config: every file:line problem at once
        print("\n".join(exc.problems), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the machine (a full disk, too many open files), not a document
        print(f"cleaner: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


def cmd_clean(args: argparse.Namespace) -> int:
    from .runner import RunConfig, run

    if args.links and args.text_format != "markdown":
        print("cleaner: --links keeps links in Markdown: add --format markdown", file=sys.stderr)
        return EXIT_USAGE
    options = _options(args)
    cleaner = Cleaner(options)  # fails early, before any output, if the rules are broken
    if args.corpus_lines:
        if "-" in args.paths:
            print("cleaner: --corpus-lines reads the inputs twice: give files, not standard input", file=sys.stderr)
            return EXIT_USAGE
        options = _with_corpus_lines(options, args, _config(args).fields())
        cleaner = Cleaner(options, rulebook=cleaner.rulebook)
    config = RunConfig(
        inputs=tuple(args.paths), out=Path(args.out), options=options,
        fields=replace(_config(args).fields(), keep=args.keep_fields, drop=args.drop_fields),
        jobs=args.jobs, progress=False if args.no_progress else None,
        glob=args.glob, shard_size=args.shard_size, compression=args.compression,
        sidecars=_config(args)["comments"] or DEFAULT_SIDECAR,
        source=args.source, removed=not args.no_removed, max_failures=args.max_failures,
    )
    if args.engine == "ray":
        from .ray_engine import RayError, run_ray

        try:  # Ray reaches URLs itself (pyarrow or fsspec); a URL must not pass through Path, which folds its //
            report = run_ray(replace(config, out=args.out), cleaner, address=args.ray_address, output_format=args.output_format)
        except RayError as exc:
            print(f"cleaner: {exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        from .io.remote import RemoteError, Staging
        from .rundir import Busy
        from .runner import RunStopped
        from .workers import WorkerError

        if args.output_format == "parquet" and not _parquet_ready(config):
            return EXIT_USAGE
        try:
            staging = Staging(args.paths, args.out)  # every URL's backend is there, or nothing is written
        except RemoteError as exc:
            print(f"cleaner: {exc}", file=sys.stderr)
            return EXIT_USAGE
        try:
            with staging:
                config = replace(config, inputs=tuple(staging.local_inputs()), out=staging.local_out())
                report = run(config, cleaner)
                if args.output_format == "parquet":
                    from .io.parquet import convert_outputs

                    convert_outputs(config.out)
                staging.upload()
        except RemoteError as exc:
            print(f"cleaner: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except Busy as exc:  # another live run writes OUT: refused before anything is touched
            print(f"cleaner: {printable(str(exc))}", file=sys.stderr)
            return EXIT_USAGE
        except RunStopped as exc:
            print(f"cleaner: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except WorkerError as exc:  # outputs of the units done so far stay; a rerun resumes
            print(f"cleaner: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except OSError as exc:  # disk full, read-only, gone: the unit being written was discarded
            where = f" {exc.filename}" if getattr(exc, "filename", None) else f" in {args.out}"
            print(f"cleaner: cannot write{where}: {exc.strerror or exc}. The run stopped; what it completed is kept "
                  f"and the same command resumes from there.", file=sys.stderr)
            return EXIT_FAILED
    print(f"cleaner: {report.documents_in} in, {report.documents_out} cleaned, {report.documents_failed} failed "
          f"-> {args.out}", file=sys.stderr)
    if args.engine == "local" and report.documents_in:
        print(report.summary.text(report.documents_failed), file=sys.stderr)
        if args.out != "-":
            print(f"charts and sample removals per rule: {args.out.rstrip('/')}/.cleaner/report.html", file=sys.stderr)
    return EXIT_FAILED if report.documents_failed else EXIT_OK


def _parquet_ready(config) -> bool:
    """Parquet output needs files and pyarrow; say so before anything is written."""
    if config.to_stdout:
        print("cleaner: --output-format parquet writes files: give -o a directory, not -", file=sys.stderr)
        return False
    try:
        from .io.parquet import pyarrow_parquet

        pyarrow_parquet()
    except ImportError as exc:
        print(f"cleaner: {exc}", file=sys.stderr)
        return False
    return True


COLOURS = {Label.KEEP: "", Label.TITLE: "\033[1m", Label.DROP: "\033[31m", Label.COMMENT: "\033[36m"}
TAGS = {Label.KEEP: "keep", Label.TITLE: "title", Label.DROP: "drop", Label.COMMENT: "comment", Label.UNDECIDED: "?"}


def _record(args: argparse.Namespace) -> Document | str:
    """The record `--id` names in a JSONL file, read as `clean` reads it; or an error message."""
    from .io.discover import JSONL_SUFFIXES
    from .io.readers import read_jsonl

    if suffix_of(args.file) not in JSONL_SUFFIXES:
        return f"{args.file}: --id names a record of a JSONL file"
    seen = []
    for item in read_jsonl(args.file, args.file.name, _config(args).fields()):
        found = item.doc.id if item.doc is not None else item.failure.id if item.failure is not None else None
        if found == args.id:
            return item.doc if item.doc is not None else f"{item.failure.source}: {item.failure.message}"
        if found is not None and len(seen) < 5:
            seen.append(found)
    return f"{args.file}: no record with id {args.id!r} (the first ids: {', '.join(seen) or 'none'})"


def cmd_explain(args: argparse.Namespace) -> int:
    cleaner = Cleaner(_options(args))
    from .io.discover import JSONL_SUFFIXES

    if args.id is None and suffix_of(args.file) in JSONL_SUFFIXES:
        print(f"cleaner: {printable(str(args.file))} holds records: name one with --id ID", file=sys.stderr)
        return EXIT_USAGE
    if args.id is not None:
        doc = _record(args)
        if isinstance(doc, str):
            print(f"cleaner: {printable(doc)}", file=sys.stderr)
            return EXIT_USAGE
    else:
        item = read_file(args.file, args.file.name, max_bytes=cleaner.options.max_bytes)  # as `clean` reads it: limits too
        if item.doc is None:
            message = item.failure.message if item.failure else "unreadable"
            print(f"cleaner: {printable(str(args.file))}: {message}", file=sys.stderr)
            return EXIT_FAILED
        for warning in item.doc.meta.get("warnings", ()):
            print(f"cleaner: {printable(str(args.file))}: {warning}", file=sys.stderr)
        doc = Document(str(args.file), item.doc.kind, item.doc.content)
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    lines = cleaner.explain(doc)
    width = max((len(line.reason) for line in lines), default=0)
    for line in lines:
        if line.reason == pagetype.REASON:  # a note on the page, not one of its lines
            print(line.text)
            continue
        if line.blank and line.label in (Label.UNDECIDED, Label.KEEP, Label.DROP) and not line.reason:
            print()
            continue
        tag = f"{TAGS[line.label]:<7} {line.reason:<{width}}"
        text = f"{tag} | {printable(line.text)}"  # a document's escape codes are shown, not obeyed
        print(f"{COLOURS.get(line.label, '')}{text}\033[0m" if colour and COLOURS.get(line.label) else text)
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    if args.rules_command == "audit":
        return cmd_audit(args)
    if args.rules_command == "list":
        cleaner = Cleaner(_options(args))
        rules = sorted(cleaner.rulebook.rules, key=lambda r: r.id)
        if args.format == "markdown":
            options = cleaner.options
            dirs = ([builtin_rules_dir()] if options.builtin_rules else []) + [Path(d) for d in options.rules_dirs]
            print(rules_markdown(rules, parse_dirs(dirs)[1]), end="")
            return EXIT_OK
        for rule in rules:
            print(f"{rule.id:<45} {rule.action:<15} {rule.description}")
        return EXIT_OK
    dirs = args.dirs or [builtin_rules_dir()] + [Path(d) for d in _config(args)["rules"]]
    rules, _packs, problems = parse_dirs(dirs)
    for rule in rules:
        problems.extend(check_examples(rule))
    warnings = [w for rule in rules for w in rule_warnings(rule)]
    for problem in problems + warnings:
        print(problem)
    examples = sum(len(v or []) for r in rules for v in r.examples.values())
    print(f"{len(rules)} rules, {examples} examples checked, {len(problems)} problems"
          + (f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""), file=sys.stderr)
    return EXIT_FAILED if problems else EXIT_OK


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def rules_markdown(rules, packs: dict[str, str]) -> str:
    """The rules reference (docs/rules.md): one section per pack, one table row per rule, with an example it removes."""
    out = ["# Rules reference", "", "Generated by `cleaner rules list --format markdown` from the built-in packs; "
           "do not edit by hand.", "", f"{len(rules)} rules in {len({r.pack for r in rules})} packs.", ""]
    for pack in sorted({r.pack for r in rules}):
        out += [f"## {pack}", "", packs.get(pack, "").strip(), "", "| rule | action | match | where | removes, e.g. | description |",
                "|---|---|---|---|---|---|"]
        for r in (r for r in rules if r.pack == pack):
            example = next(iter(r.examples.get("drop") or r.examples.get("strip") or r.examples.get("truncate") or []), "")
            if isinstance(example, dict):
                example = example.get("in", "")
            where = str(r.where) + (f", at most {r.max_words} words" if r.max_words else "")
            out.append(f"| `{r.id.rsplit('/', 1)[1]}` | {r.action} | {r.kind} | {where} | "
                       f"{'`' + _cell(example)[:80] + '`' if example else ''} | {_cell(r.description)} |")
        out.append("")
    return "\n".join(out)


def _gold_job(args: argparse.Namespace, systems: tuple[str, ...]):
    """The EvalJob the gold flags describe, or an error message a user can act on."""
    from .evaluation import EvalJob, heldout_group, load_set

    missing = [str(p) for p in args.gold if not p.is_file()]
    if missing:
        return f"no such gold file: {', '.join(missing)}"
    modes = ("html", "text") if args.mode == "both" else (args.mode,)
    sets = tuple(load_set(path, limit=args.limit, modes=modes) for path in args.gold)
    if len({s.name for s in sets}) < len(sets):
        return "a gold set is named twice"
    if args.held_out_models is not None:
        groups = sorted({heldout_group(s.name, r) for s in sets for r in s.records})
        absent = [g for g in groups if not (args.held_out_models / g).is_dir()]
        if absent:
            return (f"--held-out-models {args.held_out_models} has no models for {', '.join(absent)}; "
                    f"build them with `cleaner train GOLD... --held-out-all -o {args.held_out_models}`")
    base = _options(args)
    options = {}
    for gold in sets:
        options[gold.name] = base
        if getattr(args, "corpus_lines", False):  # counted over the set's page_text, as `clean --corpus-lines` counts its inputs
            from .corpus import MIN_DOCS, count_texts

            counts = count_texts(r.get("page_text") or "" for r in gold.records)
            options[gold.name] = replace(base, corpus=counts.template(args.min_docs or MIN_DOCS))
            corpus = options[gold.name].corpus
            print(f"{gold.name}: corpus lines: {len(corpus.keys)} lines in >= {corpus.min_docs} of {counts.documents} pages",
                  file=sys.stderr)
    for gold in sets:
        print(f"{gold.name}: {len(gold.records)} pages ({gold.metric} metric)", file=sys.stderr)
    return EvalJob(sets=sets, modes=modes, systems=systems, options=options, models_root=args.held_out_models,
                   cache=getattr(args, "cache", None))


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import format_multi, run_job, write_json

    if args.baselines_only and not args.baseline:
        print("cleaner: --baselines-only needs --baseline", file=sys.stderr)
        return EXIT_USAGE
    job = _gold_job(args, (*(() if args.baselines_only else ("cleaner",)), *dict.fromkeys(args.baseline)))
    if isinstance(job, str):
        print(f"cleaner: {job}", file=sys.stderr)
        return EXIT_USAGE
    report = run_job(job, jobs=args.jobs, progress=sys.stderr.isatty())
    worst = args.worst if args.worst is not None else (10 if len(job.sets) == 1 else 0)
    print(format_multi(report, worst=worst), end="")
    if args.json_out:
        write_json(report, args.json_out)
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    import json

    from .audit import audit, format_audit, seed_firings, to_json
    from .evaluation import format_multi

    job = _gold_job(args, ("cleaner",))
    if isinstance(job, str):
        print(f"cleaner: {job}", file=sys.stderr)
        return EXIT_USAGE
    cleaner = Cleaner(_options(args))
    known = {rule.id for rule in cleaner.rulebook.rules}
    unknown = [r for r in args.rule if r not in known]
    if unknown:
        print(f"cleaner: --rule: no rule {', '.join(unknown)} (see `cleaner rules list`)", file=sys.stderr)
        return EXIT_USAGE
    rule_ids = args.rule or sorted(known)
    seeds_dir = Path(__file__).resolve().parent.parent / "seeds"
    seeds = seed_firings(cleaner, seeds_dir) if seeds_dir.is_dir() else {}
    result = audit(job, rule_ids, jobs=args.jobs, progress=sys.stderr.isatty(), seeds=seeds)
    print(format_multi(result.report), end="\n")
    print(format_audit(result), end="")
    if args.json_out:
        args.json_out.write_text(json.dumps(to_json(result), indent=1) + "\n", encoding="utf-8")
    return EXIT_OK


def _with_corpus_lines(options: Options, args: argparse.Namespace, fields) -> Options:
    """The first pass of `clean --corpus-lines`: count every input's lines, then clean with the counts."""
    from .corpus import MIN_DOCS, count_inputs

    started = time.perf_counter()
    counts = count_inputs(args.paths, fields, getattr(args, "glob", None), jobs=args.jobs)
    corpus = counts.template(args.min_docs or MIN_DOCS)
    print(f"cleaner: corpus lines: {len(corpus.keys)} lines recur in >= {corpus.min_docs} of {counts.documents} documents "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return replace(options, corpus=corpus)


def cmd_train(args: argparse.Namespace) -> int:
    from .training import TrainingError, train

    missing = [str(path) for path in args.gold if not path.is_file()]
    if missing:
        print(f"cleaner train: no such gold file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        written = train(args.gold, args.out, hold_out=args.hold_out, held_out_all=args.held_out_all,
                        parts=args.part, cache=args.cache, progress=True)
    except TrainingError as exc:
        print(f"cleaner train: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(path)
    return EXIT_OK


def cmd_mine(args: argparse.Namespace) -> int:
    from .corpus import MIN_DOCS, count_inputs, mine, proposals_yaml
    from .io.readers import Fields, read_inputs

    cleaner = Cleaner(_options(args))
    fields = Fields(text=args.text_field)
    min_docs = args.min_docs or MIN_DOCS
    counts = count_inputs(args.paths, fields, args.glob, jobs=args.jobs)
    docs = ((item.doc.source or item.doc.id, item.doc.content) for item in read_inputs(args.paths, fields, args.glob)
            if item.doc is not None and item.doc.kind is Kind.TEXT)
    known = lambda line: cleaner.rulebook.match(line, Where.HEAD) or cleaner.rulebook.match(line, Where.TAIL)  # noqa: E731
    found = mine(docs, counts, min_docs=min_docs, limit=args.top, known=known)
    text = proposals_yaml(found, counts.documents, min_docs, " ".join(args.paths))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"cleaner: {len(found)} rules proposed from {counts.documents} documents", file=sys.stderr)
    return EXIT_OK


def cmd_inplace(args: argparse.Namespace) -> int:
    from . import inplace

    config = _config(args)
    cleaner = Cleaner(config.options(timeout=args.timeout))  # broken rules fail before any file is touched
    if args.command == "fix":
        return inplace.fix(args.paths, config, cleaner, jobs=args.jobs)
    return inplace.check(args.paths, config, cleaner, jobs=args.jobs, diff=args.diff)


def cmd_config(args: argparse.Namespace) -> int:
    import json

    from .config import format_config

    config = _config(args)
    if args.json:
        body = {key: {"value": list(v) if isinstance(v, tuple) else v, "source": src} for key, v, src in config.describe()}
        print(json.dumps({"file": str(config.file) if config.file else None, "settings": body}, indent=2))
    else:
        print(format_config(config))
    return EXIT_OK


def predictor(cleaner: Cleaner):
    """A gold-record predictor for eval: the cleaner on the page's HTML or its page_text."""

    def predict(record: dict, mode: str) -> tuple[str, str]:
        kind, content = (Kind.HTML, record["html"]) if mode == "html" else (Kind.TEXT, record["page_text"])
        cleaned = cleaner.clean(Document(str(record.get("id", "")), kind, content))
        # The article is `text`, as the baseline scores trafilatura's text: the title is a field
        # of its own, and gold articles (scrapinghub's) leave the headline out.
        return cleaned.text, "\n\n".join(p.text for p in cleaned.comments)

    return predict


if __name__ == "__main__":
    sys.exit(main())

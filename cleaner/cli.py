"""The command line: clean, explain, rules list|check, eval, train, fix, check, config.

Exit status: 0 all good, 1 some document failed (or a check found problems), 2 bad
arguments or unreadable rules.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import pagetype
from .arguments import build_parser
from .io.discover import DEFAULT_SIDECAR, suffix_of
from .io.readers import read_file
from .io.writers import printable
from .model import Document, Kind, Label, Where
from .pipeline import Cleaner, Options
from .rulebook import builtin_rules_dir, check_examples, parse_dirs
from .rulebook.regexlint import rule_warnings
from .rulebook.yamlfile import FileProblems

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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
    from .runner import RunConfig

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
        report = _run_local(args, config, cleaner)
        if isinstance(report, int):  # the run could not go on: an exit status
            return report
    print(f"cleaner: {report.documents_in} in, {report.documents_out} cleaned, {report.documents_failed} failed "
          f"-> {args.out}", file=sys.stderr)
    if args.engine == "local" and report.documents_in:
        print(report.summary.text(report.documents_failed), file=sys.stderr)
        if args.out != "-":
            print(f"charts and sample removals per rule: {args.out.rstrip('/')}/.cleaner/report.html", file=sys.stderr)
    return EXIT_FAILED if report.documents_failed else EXIT_OK


def _run_local(args: argparse.Namespace, config, cleaner: Cleaner):
    """The local engine, inputs and output staged when they are URLs: the run's report, or an exit status."""
    from .io.remote import RemoteError, Staging
    from .rundir import Busy
    from .runner import RunStopped, run
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
    return report


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
    from .evaluation import EvalJob
    from .goldsets import heldout_group, load_set

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
                        parts=args.part, cache=args.cache, types_from=args.types_from, progress=True)
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

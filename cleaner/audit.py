"""`cleaner rules audit`: what each rule is worth on every gold set, switched off against on.

One run cleans every page with all rules and notes which rules matched where; then each rule is
switched off and only the pages it matched are cleaned again (elsewhere it changes nothing), so an
audit costs about one eval run plus the pages the rules touch. A rule's effect on a set is the set's
F1 with the rule minus its F1 without (the set's own metric), per path.

Verdicts, the discipline rules are kept by:
- keep: the macro effect (over every set and path) is positive and no set loses more than a hair;
- remove: it fired but does not pay (a macro loss, or a set pays more than a hair for it);
- no effect / unfired: it changes no figure (a macro effect under 0.00001 either way, no set
  losing more than a hair), or matches no page; it stays only if it is general and the seeds
  (tests/test_seeds.py) or a widely used CMS, forum or theme back it, which a person judges:
  the `seeds` column counts the seed documents it fires on.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Sequence

from .evaluation import EvalJob, MultiReport, Task, all_tasks, score, summarise
from .metrics import METRICS

HAIR = 0.0005  # F1 a rule may cost one set (and path) while it pays on the macro average
NO_EFFECT = 1e-5  # a macro effect smaller than this (either way) changes no figure at the precision reported


@dataclass(frozen=True)
class RuleEffect:
    """One rule: the pages it matched, its effect per (mode, set), and the verdict."""

    rule: str
    fired: Mapping[tuple[str, str], int]  # (mode, figure) -> pages it matched
    effect: Mapping[tuple[str, str], float]  # (mode, figure) -> F1 with the rule minus F1 without
    seeds: int  # seed documents it fires on

    @property
    def macro(self) -> float:
        return statistics.fmean(self.effect.values()) if self.effect else 0.0

    @property
    def worst(self) -> float:
        return min(self.effect.values(), default=0.0)

    @property
    def verdict(self) -> str:
        if not any(self.fired.values()):
            return "unfired"
        if self.worst >= -HAIR and abs(self.macro) < NO_EFFECT:
            return "no effect"
        if self.macro >= NO_EFFECT and self.worst >= -HAIR:
            return "keep"
        return "remove"


@dataclass(frozen=True)
class Audit:
    modes: tuple[str, ...]
    sets: tuple[str, ...]
    baseline: Mapping[tuple[str, str], float]  # (mode, figure) -> F1 with every rule; a figure is a set or its comments
    rules: tuple[RuleEffect, ...]
    report: MultiReport  # the run with every rule, as `cleaner eval` reports it


COMMENTS = " comments"  # suffix of the figure of a set's comment threads, where the set annotates them


def _figures(metric: str, name: str, pages: Sequence[Mapping]) -> dict[str, float]:
    """The F1 figures of one set: its article, and its comments where the set annotates them."""
    article, comments = METRICS[metric].aggregate(pages)
    return {name: article.f1, **({name + COMMENTS: comments.f1} if comments is not None else {})}


def audit(job: EvalJob, rule_ids: Sequence[str], jobs: int = 2, progress: bool = False,
          seeds: Mapping[str, int] | None = None) -> Audit:
    """Each rule's effect on every set and mode of the job (its systems are ignored: the cleaner is audited)."""
    job = replace(job, systems=("cleaner",), record_fired=True)
    base = score(job, all_tasks(job), jobs, progress)
    metric = {gold.name: gold.metric for gold in job.sets}
    set_index = {gold.name: s for s, gold in enumerate(job.sets)}
    by_set: dict[tuple[str, str], list[tuple[int, Mapping]]] = defaultdict(list)
    for page in sorted(base, key=lambda p: p["index"]):
        by_set[page["mode"], page["set"]].append((page["index"], page))
    baseline = {(mode, figure): f1 for (mode, name), pages in by_set.items()
                for figure, f1 in _figures(metric[name], name, [p for _, p in pages]).items()}

    tasks: list[Task] = [(set_index[p["set"]], p["index"], p["mode"], rule)
                         for rule in rule_ids for p in base if rule in p.get("fired", ())]
    off: dict[str, dict[tuple[str, str, int], Mapping]] = defaultdict(dict)
    for page in score(job, tasks, jobs, progress) if tasks else []:
        off[page["without"]][page["mode"], page["set"], page["index"]] = page

    effects = []
    for rule in rule_ids:
        changed = off.get(rule, {})
        fired = dict.fromkeys(baseline, 0)
        effect = dict.fromkeys(baseline, 0.0)
        touched: dict[tuple[str, str], int] = defaultdict(int)
        for mode, name, _index in changed:
            touched[mode, name] += 1
        for (mode, name), n in touched.items():
            pages = [changed.get((mode, name, i), page) for i, page in by_set[mode, name]]
            for figure, f1 in _figures(metric[name], name, pages).items():
                fired[mode, figure] = n
                effect[mode, figure] = baseline[mode, figure] - f1
        effects.append(RuleEffect(rule, fired, effect, (seeds or {}).get(rule, 0)))
    return Audit(job.modes, tuple(dict.fromkeys(figure for _mode, figure in baseline)), baseline, tuple(effects),
                 summarise(job, sorted(base, key=lambda p: (job.modes.index(p["mode"]), set_index[p["set"]], p["index"]))))


def seed_firings(cleaner, seeds_dir: Path) -> dict[str, int]:
    """How many seed documents (the text corpus tests/test_seeds.py pins) each rule fires on."""
    from .model import Document, Kind

    counts: dict[str, int] = defaultdict(int)
    for path in sorted(seeds_dir.glob("*.txt")):
        cleaner.rulebook.fired.clear()
        cleaner.clean(Document(path.name, Kind.TEXT, path.read_text(encoding="utf-8")))
        for rule in cleaner.rulebook.fired:
            counts[rule] += 1
    return dict(counts)


ORDER = {"remove": 0, "keep": 1, "no effect": 2, "unfired": 3}


def format_audit(result: Audit) -> str:
    """Rule x (path, set) effects in thousandths of F1, with the pages each rule fired on, and the verdict."""
    keys = [key for key in result.baseline]
    heads = [f"{mode}:{name}" for mode, name in keys]
    rows = [["rule", "pages", "seeds", *heads, "macro", "verdict"]]
    rows.append(["(F1 with every rule)", "", "", *(f"{result.baseline[k]:.4f}" for k in keys), "", ""])
    ranked = sorted(result.rules, key=lambda r: (ORDER[r.verdict], r.macro, r.rule))
    for r in ranked:
        rows.append([r.rule, str(sum(n for (_m, f), n in r.fired.items() if not f.endswith(COMMENTS))), str(r.seeds),
                     *(f"{1000 * r.effect[k]:+.2f}" if r.fired[k] else "." for k in keys),
                     f"{1000 * r.macro:+.3f}", r.verdict])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 or i == len(row) - 1 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    counts = defaultdict(int)
    for r in result.rules:
        counts[r.verdict] += 1
    lines.append("")
    lines.append("effects: F1 with the rule minus F1 without, in thousandths; '.': the rule matched no page there.")
    lines.append(f"keep: macro > 0 and no set loses more than {HAIR}; " +
                 ", ".join(f"{v}: {counts[v]}" for v in ORDER))
    return "\n".join(lines) + "\n"


def to_json(result: Audit) -> dict:
    return {"baseline": {f"{m}:{s}": round(v, 6) for (m, s), v in result.baseline.items()},
            "hair": HAIR,
            "rules": [{"rule": r.rule, "verdict": r.verdict, "macro": round(r.macro, 6), "seeds": r.seeds,
                       "pages": sum(n for (m, s), n in r.fired.items() if not s.endswith(COMMENTS)),
                       "fired": {f"{m}:{s}": n for (m, s), n in r.fired.items()},
                       "effect": {f"{m}:{s}": round(e, 6) for (m, s), e in r.effect.items()}}
                      for r in result.rules]}


__all__ = ["Audit", "RuleEffect", "audit", "format_audit", "seed_firings", "to_json"]

"""What a run did, for a person: a short summary at its end and OUT/.cleaner/report.html.

`Summary` adds up what report.json does not keep: characters kept and removed, empty outputs,
languages, page types, and a few sample removals per rule (to audit a rule by reading what it
took). The page is one static file: bar charts in plain HTML and CSS, no script, nothing fetched.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .model import Cleaned

SAMPLES_PER_RULE = 3
SAMPLE_CHARS = 160
TOP = 10  # rules, languages and page types in the printed summary


@dataclass
class Summary:
    """Totals over the cleaned documents of a run; `state()` round-trips through a completion marker."""

    chars_kept: int = 0
    chars_removed: int = 0
    empty: int = 0
    documents: int = 0
    rules: Counter = field(default_factory=Counter)  # rule -> characters removed
    languages: Counter = field(default_factory=Counter)
    page_types: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, result: Cleaned) -> None:
        self.documents += 1
        kept = len(result.title) + len(result.text) + sum(len(p.text) for p in result.comments)
        self.chars_kept += kept
        self.empty += not result.text.strip()
        for removal in result.removed:
            self.chars_removed += len(removal.text)
            self.rules[removal.rule] += len(removal.text)
            picked = self.samples.setdefault(removal.rule, [])
            if len(picked) < SAMPLES_PER_RULE and removal.text.strip() and removal.text not in picked:
                picked.append(removal.text[:SAMPLE_CHARS])
        self.languages[str(result.meta.get("language") or "unknown")] += 1
        page_type = result.meta.get("page_type")
        self.page_types[str(getattr(page_type, "value", page_type) or "unknown")] += 1

    @property
    def removed_share(self) -> float:
        total = self.chars_kept + self.chars_removed
        return self.chars_removed / total if total else 0.0

    def state(self) -> dict:
        return {"chars_kept": self.chars_kept, "chars_removed": self.chars_removed, "empty": self.empty,
                "documents": self.documents, "rules": dict(self.rules), "languages": dict(self.languages),
                "page_types": dict(self.page_types), "samples": self.samples}

    @classmethod
    def from_state(cls, state: dict | None) -> "Summary":
        state = state or {}
        return cls(**{k: state.get(k, 0) for k in ("chars_kept", "chars_removed", "empty", "documents")},
                   **{k: Counter(state.get(k, {})) for k in ("rules", "languages", "page_types")},
                   samples={k: list(v) for k, v in state.get("samples", {}).items()})

    def text(self, failed: int = 0) -> str:
        """The end-of-run summary printed on stderr."""
        lines = [f"removed {self.removed_share:.1%} of the characters ({self.chars_removed:,} of "
                 f"{self.chars_kept + self.chars_removed:,}); {self.empty} of {self.documents} outputs empty"
                 + (f"; {failed} failed" if failed else "")]
        if self.rules:
            lines.append("top removals: " + ", ".join(f"{rule} {_share(n, self.chars_removed)}" for rule, n in self.rules.most_common(5)))
        for name, counts in (("languages", self.languages), ("page types", self.page_types)):
            if counts:
                lines.append(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.most_common(TOP)))
        return "\n".join(lines)

    def html(self, title: str = "cleaner run") -> str:
        """OUT/.cleaner/report.html: the same figures as bar charts, and sample removals per rule."""
        parts = [f"<h1>{_e(title)}</h1>",
                 f"<p class=big>{self.removed_share:.1%} of the characters removed "
                 f"({self.chars_removed:,} of {self.chars_kept + self.chars_removed:,}); "
                 f"{self.empty:,} of {self.documents:,} outputs empty.</p>",
                 _bars("Characters removed by rule or heuristic", self.rules, self.chars_removed),
                 _bars("Languages (documents)", self.languages, self.documents),
                 _bars("Page types (documents)", self.page_types, self.documents),
                 "<h2>Sample removals per rule</h2>"]
        for rule, _n in self.rules.most_common():
            samples = "".join(f"<li><code>{_e(s)}</code></li>" for s in self.samples.get(rule, []))
            parts.append(f"<h3 id='{_e(rule)}'>{_e(rule)}</h3><ul>{samples}</ul>")
        return PAGE.format(title=_e(title), body="\n".join(parts))

    def write_html(self, path: Path, title: str = "cleaner run") -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(self.html(title), encoding="utf-8")
        tmp.replace(path)


def _share(n: int, total: int) -> str:
    return f"{n / total:.0%}" if total else "0%"


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _bars(title: str, counts: Counter, total: int) -> str:
    if not counts:
        return f"<h2>{_e(title)}</h2><p>none</p>"
    top = max(counts.values()) or 1
    rows = "".join(
        f"<tr><th>{_e(name)}</th><td class=bar><span style='width:{100 * n / top:.1f}%'></span></td>"
        f"<td class=n>{n:,}</td><td class=n>{_share(n, total)}</td></tr>"
        for name, n in counts.most_common())
    return f"<h2>{_e(title)}</h2><table>{rows}</table>"


PAGE = """<!doctype html>
<html lang=en><head><meta charset=utf-8><title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }}
.big {{ font-size: 1.3em; }}
table {{ border-collapse: collapse; width: 100%; }}
th {{ text-align: left; font-weight: normal; white-space: nowrap; padding: 2px 8px 2px 0; font-family: monospace; }}
td.bar {{ width: 60%; }}
td.bar span {{ display: block; height: 12px; background: #4a7fb5; }}
td.n {{ text-align: right; padding-left: 8px; white-space: nowrap; }}
code {{ white-space: pre-wrap; }}
</style></head>
<body>
{body}
</body></html>
"""

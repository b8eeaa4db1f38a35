"""In-place mode for corpora kept in git: `cleaner fix` rewrites files, `cleaner check` only reports.

A file is clean when cleaning it again would write the same bytes: the article text exactly
as `cleaner clean` writes OUT/articles/REL.txt. `fix` writes that text over the file with a
temp file and a rename, so a crash never leaves a half-written document; an `.html` file
becomes a `.txt` beside it and the `.html` is removed (the text replaces the page, as a
formatter replaces a file). That .txt is the HTML path's article settled by the text path,
so `check` finds it clean. The comment thread goes to a sidecar beside the article,
`{name}.comments.jsonl` by default; a later run that finds no thread leaves it alone.
Empty files are left alone: there is nothing to clean in them.

Exit status follows the formatter conventions pre-commit expects: 0 nothing to change,
1 something changed (fix) or would change (check), 2 an error (which outranks 1).
"""

from __future__ import annotations

import difflib
import json
import os
import stat
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from .config import Config
from .io.decode import DecodeError, decode
from .io.discover import JSONL_SUFFIXES, TEXT_SUFFIXES, Dest, Item, suffix_of
from .io.readers import not_regular
from .io.writers import atomic_write
from .model import Cleaned, Document, Failure, Kind, Post
from .pipeline import Cleaner

EXIT_CLEAN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2
HTML_SUFFIXES = tuple(s for s, k in TEXT_SUFFIXES.items() if k is Kind.HTML)


@dataclass(frozen=True)
class Verdict:
    """What fix would do to one file: the text it would write and why, or why it cannot."""

    path: Path  # the file as named
    out: Path  # where the article goes: the file itself, or a .txt beside an .html
    before: str = ""
    after: str = ""
    reasons: tuple[str, ...] = ()
    comments: tuple[Post, ...] = ()
    error: str = ""

    @property
    def changed(self) -> bool:
        return not self.error and (self.out != self.path or self.before != self.after)


# --------------------------------------------------------------------------- which files


def targets(paths: Iterable[str | Path], config: Config) -> Iterator[Path | Verdict]:
    """Files to look at: named files as they are, folders walked for .txt/.html; excludes skipped."""
    seen: set[Path] = set()
    for path in _expand(paths, config):
        if isinstance(path, Verdict):
            yield path
            continue
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            yield path


def _expand(paths: Iterable[str | Path], config: Config) -> Iterator[Path | Verdict]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if suffix_of(child) in TEXT_SUFFIXES and not any(part.startswith(".") for part in rel.parts) \
                        and not config.excluded(child):
                    yield child
        elif config.excluded(path):
            continue
        elif suffix_of(path) in JSONL_SUFFIXES:
            yield Verdict(path, path, error="in-place mode cleans .txt and .html files; use `cleaner clean` for JSONL")
        elif not path.is_file():
            yield Verdict(path, path, error=_not_a_file(path))
        else:
            yield path


def _not_a_file(path: Path) -> str:
    """What a named path that is not a regular file is: fix reads none of these (a FIFO would block it)."""
    try:
        return not_regular(path) or "not a regular file"
    except OSError:
        return "no such file"


def out_path(path: Path) -> Path:
    return path.with_suffix(".txt") if suffix_of(path) in HTML_SUFFIXES else path


# --------------------------------------------------------------------------- judging


def read(path: Path) -> tuple[Item | None, Verdict | None]:
    """The document of one file, or a verdict that ends its journey (empty, unreadable, in the way)."""
    out = out_path(path)
    if out != path and out.exists():
        return None, Verdict(path, out, error=f"{out.name} already exists beside it; fix would overwrite it")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, Verdict(path, out, error=f"cannot read: {exc.strerror or exc}")
    if not data.strip():
        return None, Verdict(path, path)  # nothing to clean; an empty file is clean
    try:
        content = decode(data)
    except DecodeError as exc:
        return None, Verdict(path, out, error=str(exc))
    kind = Kind.HTML if out != path else Kind.TEXT
    return Item(Dest("mirror", str(path)), doc=Document(str(path), kind, content, source=str(path))), None


def settle_through_text(cleaner: Cleaner, result: Cleaned | Failure) -> Cleaned | Failure:
    """An .html page's article also goes through the text path, so the .txt it becomes is already clean.

    `check` judges a .txt with the text path; the HTML path keeps what trafilatura kept, so
    without this a page fixed on one commit would be fixed again on the next.
    """
    text = result.article_file_text() if isinstance(result, Cleaned) else ""
    if not text.strip():
        return result
    try:
        again = cleaner.clean_text(Document(result.id, Kind.TEXT, text))
    except Exception as exc:  # noqa: BLE001 - reported like any failure to clean
        return Failure(result.id, result.id, "clean", f"{type(exc).__name__}: {exc}")
    posts = result.comments + tuple(Post(p.index + len(result.comments), p.text) for p in again.comments)
    return replace(again, comments=posts, removed=result.removed + again.removed, meta=result.meta)


def verdict(path: Path, before: str, result: Cleaned | Failure) -> Verdict:
    """Compare the file with what cleaning it writes; name the rules that made the difference."""
    out = out_path(path)
    if isinstance(result, Failure):
        return Verdict(path, out, error=result.message)
    after = result.article_file_text()
    if after == before and out == path:
        return Verdict(path, out, before, after)
    refused = refusal(path, out)
    if refused:
        return Verdict(path, out, error=refused)
    return Verdict(path, out, before, after, reasons_of(result, before, after, out != path), result.comments)


def refusal(path: Path, out: Path) -> str | None:
    """Why fix leaves a file it would change as it is: the change would not reach every name of it, or is not allowed.

    A symlink is written through (its target changes, the link stays), except an .html link, which
    fix would replace with a .txt file. A file with hard links is refused: writing a new file would
    leave its other names with the old text. A read-only file is refused, as an editor would.
    """
    if out != path and path.is_symlink():
        return f"a symlink to an HTML page: fix would replace the link with a .txt file; fix {path.resolve()} instead"
    try:
        st = path.stat()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if st.st_nlink > 1:
        return (f"has {st.st_nlink} hard links: fix writes a new file, which would leave the other names with the old "
                f"text; left as it was (copy it to a name of its own to fix it)")
    if not st.st_mode & stat.S_IWUSR:
        return "is read-only: left as it was (make it writable to fix it)"
    return None


class Changed(Exception):
    """The file changed after fix read it: someone else's edit is never overwritten."""


def reasons_of(cleaned: Cleaned, before: str, after: str, converted: bool) -> tuple[str, ...]:
    """Rule ids with counts, then the comment thread, then what no rule explains (newlines, spaces, NFC)."""
    counts = Counter(r.rule for r in cleaned.removed)
    reasons = [f"{rule} ({n})" if n > 1 else rule for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if cleaned.comments:
        reasons.append(f"comments ({len(cleaned.comments)} post{'s' if len(cleaned.comments) != 1 else ''})")
    if converted:
        reasons.append("html-to-txt")
    if not reasons and before != after:
        reasons.append("normalise")
    return tuple(reasons)


def judge_all(paths: Iterable[str | Path], config: Config, cleaner: Cleaner, jobs: int = 1) -> Iterator[Verdict]:
    """A verdict for every target, in order; documents are cleaned on `jobs` processes."""
    from .workers import results

    contents: dict[str, str] = {}
    early: list[Verdict] = []

    def items() -> Iterator[Item]:
        for target in targets(paths, config):
            if isinstance(target, Verdict):
                early.append(target)
                continue
            item, done = read(target)
            if done is not None:
                early.append(done)
                continue
            assert item is not None and item.doc is not None
            contents[item.dest.rel] = item.doc.content
            yield item

    for dest, result, _size in results(items(), config.options(), jobs, cleaner):
        yield from _drain(early)
        path = Path(dest.rel)
        yield verdict(path, contents.pop(dest.rel), settle_through_text(cleaner, result) if out_path(path) != path else result)
    yield from _drain(early)


def _drain(pending: list[Verdict]) -> Iterator[Verdict]:
    while pending:
        yield pending.pop(0)


# --------------------------------------------------------------------------- acting


def sidecar_path(out: Path, template: str) -> Path:
    return out.parent / template.format(name=out.name, stem=out.stem)


def apply(v: Verdict, comments_template: str | None) -> None:
    """Write one fix: sidecar first, then the article (atomic), then drop the replaced .html.

    Should the article fail to be written, the sidecar is put back as it was: a failed fix changes nothing.
    """
    sidecar = sidecar_path(v.out, comments_template) if v.comments and comments_template else None
    if _current_text(v.path) != v.before:
        raise Changed("changed after fix read it; left as it was (run fix again)")
    previous = _bytes_or_none(sidecar) if sidecar else None
    if sidecar:
        body = "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in v.comments)
        atomic_write(sidecar, body.encode("utf-8"))
    mode = stat.S_IMODE(v.path.stat().st_mode)
    target = v.out.resolve() if v.out.is_symlink() else v.out  # through a symlink: the target changes, the link stays
    try:
        atomic_write(target, v.after.encode("utf-8"))
    except BaseException:
        if sidecar:
            _put_back(sidecar, previous)
        raise
    if stat.S_IMODE(target.stat().st_mode) != mode:
        os.chmod(target, mode)  # a rewritten file keeps its permissions, as an edit would
    if v.out != v.path:
        try:
            v.path.unlink()
        except OSError as exc:
            raise OSError(f"wrote {v.out} but could not remove {v.path.name}: {exc.strerror or exc}") from exc


def _current_text(path: Path) -> str | None:
    """The file's text now, as read() decoded it; None when it is gone or no longer decodes."""
    try:
        return decode(path.read_bytes())
    except (OSError, DecodeError):
        return None


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _put_back(path: Path, data: bytes | None) -> None:
    """Restore a file to what it held (or to not existing); best effort, the first error is the one reported."""
    try:
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, data)
    except OSError:
        pass


def unified_diff(v: Verdict) -> str:
    """A patch from the file as it is to the file fix would write (paths as named: `patch -p0` applies it)."""
    lines = difflib.unified_diff(_lines(v.before), _lines(v.after), fromfile=str(v.path), tofile=str(v.out))
    return "".join(lines)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


# --------------------------------------------------------------------------- the two commands


@dataclass(frozen=True)
class Tally:
    changed: int = 0
    clean: int = 0
    errors: int = 0

    def add(self, v: Verdict) -> "Tally":
        if v.error:
            return Tally(self.changed, self.clean, self.errors + 1)
        if v.changed:
            return Tally(self.changed + 1, self.clean, self.errors)
        return Tally(self.changed, self.clean + 1, self.errors)

    @property
    def status(self) -> int:
        return EXIT_ERROR if self.errors else EXIT_CHANGED if self.changed else EXIT_CLEAN


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fix(paths: Iterable[str | Path], config: Config, cleaner: Cleaner, jobs: int = 1,
        out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Clean files in place; print `Fixing FILE` for each one changed."""
    out, err = out or sys.stdout, err or sys.stderr
    tally = Tally()
    for v in judge_all(paths, config, cleaner, jobs):
        if v.changed:
            try:
                apply(v, config["comments"])
            except Changed as exc:
                v = Verdict(v.path, v.out, error=str(exc))
            except OSError as exc:
                message = str(exc) if v.out.exists() and v.out != v.path and exc.__cause__ else \
                    f"cannot write: {exc.strerror or exc} (file left as it was)"
                v = Verdict(v.path, v.out, error=message)
            else:
                print(f"Fixing {v.path}", file=out)
                if not v.after:
                    print(f"cleaner: {v.out}: no article text was left; the file is now empty", file=err)
        if v.error:
            print(f"cleaner: {v.path}: {v.error}", file=err)
        tally = tally.add(v)
    print(f"cleaner: {_plural(tally.changed, 'file')} fixed, {tally.clean} unchanged"
          + (f", {_plural(tally.errors, 'error')}" if tally.errors else ""), file=err)
    return tally.status


def check(paths: Iterable[str | Path], config: Config, cleaner: Cleaner, jobs: int = 1, diff: bool = False,
          out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Change nothing; list the files fix would change with the rule ids, or print a unified diff."""
    out, err = out or sys.stdout, err or sys.stderr
    tally = Tally()
    listing = err if diff else out  # with --diff, stdout is a patch and nothing else
    for v in judge_all(paths, config, cleaner, jobs):
        if v.error:
            print(f"cleaner: {v.path}: {v.error}", file=err)
        elif v.changed:
            print(f"{v.path}: {', '.join(v.reasons)}", file=listing)
            if diff:
                print(unified_diff(v), end="", file=out)
        tally = tally.add(v)
    if tally.changed:
        summary = f"{_plural(tally.changed, 'file')} would be fixed, {tally.clean} already clean"
    else:
        summary = f"{_plural(tally.clean, 'file')} already clean"
    print(f"cleaner: {summary}" + (f", {_plural(tally.errors, 'error')}" if tally.errors else ""), file=err)
    return tally.status

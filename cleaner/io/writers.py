"""Writers: a mirror tree of articles and comments, JSONL files or shards; every file appears whole or not at all."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from ..model import Cleaned
from .discover import strip_suffix
from .streams import COMPRESSIONS, Sink

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def record_of(cleaned: Cleaned) -> dict:
    """The JSONL output record (Cleaned.to_dict, the one source of its shape)."""
    return cleaned.to_dict()


def record_line(cleaned: Cleaned, **shape) -> bytes:
    """One output record as a JSONL line, exactly as every writer (and the Ray engine) emits it; `shape`: to_dict's options."""
    return (json.dumps(cleaned.to_dict(**shape), ensure_ascii=False, default=str) + "\n").encode("utf-8", "surrogatepass")


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file and rename, so no half-written file ever looks complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing names that would escape root (ids come from strangers)."""
    return root.joinpath(*safe_parts(rel))


def safe_parts(rel: str) -> list[str]:
    """The parts of a relative name that stay inside a folder: no '..', no root, no control characters."""
    parts = [p for p in PurePosixPath(rel.replace("\\", "/")).parts if p not in ("", ".", "..", "/")]
    cleaned = [("".join(ch if ch.isprintable() and ch != "\x00" else "_" for ch in p)) for p in parts]
    return cleaned or ["_"]


RUN_FILES = (".cleaner",)  # OUT/.cleaner holds the run's own files (rundir.RUN_DIR): no input's output may take the name


class OutputNames:
    """Output paths claimed in one run, so two inputs never write one file.

    `a.txt` and `a.html` would both write OUT/articles/a.txt, `x.warc.gz` and `x.jsonl.gz`
    both OUT/x.jsonl.gz, an input `.cleaner` the run's own folder. The first input in
    discovery order keeps the natural name; a later one gets its name with a short hash of
    its input path (`a-1f2e3d4c`), the same on every run, so a resumed run agrees.
    Names are compared as written after sanitising, case-folded (portable to case-insensitive disks).
    """

    def __init__(self) -> None:
        self.taken: set[str] = {name.casefold() for name in RUN_FILES}

    def _free(self, *paths: str) -> bool:
        keys = ["/".join(safe_parts(p)).casefold() for p in paths]
        if any(k in self.taken or not _fits(k) for k in keys):
            return False
        self.taken.update(keys)
        return True

    def mirror(self, rel: str) -> str:
        """The relative name (no suffix) under OUT/articles and OUT/comments for a text or HTML input."""
        base = strip_suffix(rel)
        return next(name for name in _candidates(base, rel) if self._free(f"articles/{name}.txt", f"comments/{name}.jsonl"))

    def jsonl(self, name: str, rel: str) -> str:
        """The output file under OUT for a JSONL or WARC input."""
        cut = name.lower().rfind(".jsonl")
        base, ext = (name[:cut], name[cut:]) if cut > 0 else (name, "")
        return next(stem + ext for stem in _candidates(base, rel) if self._free(stem + ext))


MAX_NAME_BYTES = 255  # a file name on most file systems


def _fits(path: str) -> bool:
    return all(len(part.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES for part in path.split("/"))


def _candidates(base: str, rel: str) -> Iterator[str]:
    """The natural name, then the name with a hash of the input path (and of a counter, should that be taken).

    A hashed name keeps at most 200 bytes of the original file name, so it fits where the natural one is too long.
    """
    yield base
    head, _, last = base.rpartition("/")
    short = last.encode("utf-8", "surrogateescape")[:200].decode("utf-8", "ignore")
    for n in itertools.count():
        salt = rel if n == 0 else f"{rel}\0{n}"
        digest = hashlib.sha1(salt.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        yield f"{head}/{short}-{digest}" if head else f"{short}-{digest}"


_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text for a terminal: control and bidi-override characters from strangers shown escaped, not obeyed.

    Other invisible characters (no-break spaces, zero-width joiners in emoji) are shown as they are.
    """
    return _UNSAFE.sub(lambda m: ascii(m.group())[1:-1], text)


def write_mirror(root: Path, rel: str, cleaned: Cleaned) -> None:
    """OUT/articles/REL.txt and, when there are posts, OUT/comments/REL.jsonl."""
    atomic_write(safe_join(root / "articles", rel + ".txt"), cleaned.article_file_text().encode())
    comments = safe_join(root / "comments", rel + ".jsonl")
    if cleaned.comments:
        body = "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in cleaned.comments)
        atomic_write(comments, body.encode())
    elif comments.exists():
        comments.unlink()


class JsonlFile:
    """A JSONL output written to a temp file and renamed into place on commit, never half there."""

    def __init__(self, final: Path):
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")  # a name of its own
        os.chmod(tmp, 0o666 & ~_UMASK)
        self.tmp = Path(tmp)
        self.sink = Sink(os.fdopen(fd, "wb"), final.name)

    def write(self, line: bytes) -> None:
        self.sink.write(line)

    def commit(self) -> None:
        self.sink.close(sync=True)
        os.replace(self.tmp, self.final)

    def abort(self) -> None:
        """Drop the temp file; closing may fail again on a full disk, which must not keep the file."""
        try:
            self.sink.close(sync=False)
        except OSError:
            pass
        finally:
            self.tmp.unlink(missing_ok=True)


def shard_name(index: int, compression: str) -> str:
    return f"part-{index:05d}.jsonl{COMPRESSIONS[compression]}"

"""Inputs and outputs named by URL (s3://, gs://, hf://, file://, memory://...) on the local engine, via fsspec.

The local engine reads and writes a local folder, so remote inputs are copied into a staging folder
first and the output folder is copied up when the run ends (the resume state in OUT/.cleaner stays
behind, but for the report and the error list). Every URL's backend is checked before anything is read or written: a scheme whose
fsspec backend is not installed is one clear error (the CLI exits 2) and nothing is written.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from ..distribution import install_hint

KEPT_RUN_FILES = (".cleaner/report.json", ".cleaner/errors.jsonl", ".cleaner/report.html")  
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


class RemoteError(Exception):
    """A URL cannot be reached: fsspec or the scheme's backend is missing, or the URL is unusable."""


def is_url(path: str | Path) -> bool:
    return bool(SCHEME.match(str(path)))


def filesystem(url: str):
    """(fsspec filesystem, path within it) for a URL; RemoteError naming what to install when it cannot be had."""
    try:
        import fsspec
    except ImportError as exc:
        raise RemoteError(f"{url}: URLs need fsspec: {install_hint('remote')}") from exc
    scheme = SCHEME.match(url).group(1)  # type: ignore[union-attr]
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:  # fsspec knows the scheme; its backend package is not installed
        raise RemoteError(f"{url}: cannot use {scheme}://: {exc} (pip install the backend fsspec names)") from exc
    except ValueError as exc:
        raise RemoteError(f"{url}: unknown scheme {scheme}:// ({exc})") from exc


def check(urls: Iterable[str]) -> None:
    """Every URL's backend loads; raise RemoteError for the first that does not."""
    for url in urls:
        filesystem(url)


class Staging:
    """Local stand-ins for URL inputs and a URL output, for the length of one run."""

    def __init__(self, inputs: Iterable[str], out: str):
        self.inputs, self.out = list(inputs), str(out)
        check([p for p in [*self.inputs, self.out] if is_url(p)])
        self.dir: Path | None = None

    @property
    def needed(self) -> bool:
        return any(is_url(p) for p in [*self.inputs, self.out])

    def __enter__(self) -> "Staging":
        if self.needed:
            self.dir = Path(tempfile.mkdtemp(prefix="cleaner-staging-"))
        return self

    def local_inputs(self) -> list[str]:
        """Each URL input copied into the staging folder (a folder URL as a folder), local paths as they are."""
        local = []
        for n, raw in enumerate(self.inputs):
            if not is_url(raw):
                local.append(raw)
                continue
            assert self.dir is not None
            fs, path = filesystem(raw)
            if not fs.exists(path):
                raise RemoteError(f"{raw}: no such file or directory")
            name = Path(path.rstrip("/")).name or f"input-{n}"
            target = self.dir / "in" / str(n) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if fs.isdir(path):
                fs.get(path.rstrip("/") + "/", str(target), recursive=True)
            else:
                fs.get(path, str(target))
            local.append(str(target))
        return local

    def local_out(self) -> Path:
        if not is_url(self.out):
            return Path(self.out)
        assert self.dir is not None
        return self.dir / "out"

    def upload(self) -> None:
        """Copy the run's outputs to the output URL, with its report and error list (not its resume state)."""
        if not is_url(self.out):
            return
        fs, path = filesystem(self.out)
        root = self.local_out()
        for file in sorted(root.rglob("*")):
            rel = file.relative_to(root)
            hidden = any(part.startswith(".") for part in rel.parts) and rel.as_posix() not in KEPT_RUN_FILES
            if file.is_file() and not hidden:
                fs.makedirs(f"{path.rstrip('/')}/{rel.parent.as_posix()}".rstrip("/."), exist_ok=True)
                fs.put_file(str(file), f"{path.rstrip('/')}/{rel.as_posix()}")

    def __exit__(self, *exc) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

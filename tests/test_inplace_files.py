"""`cleaner fix` on files that are more than a name: symlinks, hard links, read-only files, files that change during the fix."""

from __future__ import annotations

import os
import stat

import pytest

from cleaner import inplace
from cleaner.cli import main

PROSE = ("The council met on Tuesday to discuss the new budget for the coming year, and members argued for hours "
         "about the cost of repairing the old bridge before the vote.")
DIRTY = f"{PROSE}\n\nShare this article on Facebook\n\n{PROSE}\n\nCopyright 2024 Example News. All rights reserved.\n"


def fix(capsys, *paths) -> tuple[int, str, str]:
    status = main(["fix", *map(str, paths), "--isolated"])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def dirty(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(DIRTY, encoding="utf-8")
    return path


def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path, dirty, capsys):
    link = tmp_path / "link.txt"
    link.symlink_to(dirty.name)
    status, out, _err = fix(capsys, link)
    assert status == 1 and f"Fixing {link}" in out
    assert link.is_symlink() and os.readlink(link) == dirty.name
    assert dirty.read_text(encoding="utf-8") != DIRTY and "Copyright" not in dirty.read_text(encoding="utf-8")
    assert fix(capsys, dirty)[0] == 0  # the target is clean now


def test_a_symlinked_html_page_is_refused_not_replaced(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><article><p>{PROSE}</p><p>{PROSE}</p></article></body></html>", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(page.name)
    status, out, err = fix(capsys, link)
    assert status == 2 and "Fixing" not in out and "symlink" in err
    assert link.is_symlink() and not (tmp_path / "link.txt").exists() and page.exists()


def test_a_hard_linked_file_is_refused_and_left_as_it_was(tmp_path, dirty, capsys):
    other = tmp_path / "other.txt"
    os.link(dirty, other)
    status, out, err = fix(capsys, dirty)
    assert status == 2 and "Fixing" not in out and "hard link" in err
    assert dirty.read_text(encoding="utf-8") == DIRTY and os.stat(dirty).st_ino == os.stat(other).st_ino


def test_a_read_only_file_is_refused_and_left_as_it_was(dirty, capsys):
    os.chmod(dirty, 0o444)
    status, out, err = fix(capsys, dirty)
    assert status == 2 and "Fixing" not in out and "read-only" in err
    assert dirty.read_text(encoding="utf-8") == DIRTY and stat.S_IMODE(dirty.stat().st_mode) == 0o444


def test_a_file_changed_between_read_and_write_is_not_overwritten(dirty, capsys, monkeypatch):
    real = inplace.verdict
    edited = DIRTY + "\nA line the author added while fix was cleaning.\n"

    def verdict(path, before, result):
        dirty.write_text(edited, encoding="utf-8")  # someone saves the file after fix read it
        return real(path, before, result)

    monkeypatch.setattr(inplace, "verdict", verdict)
    status, out, err = fix(capsys, dirty)
    assert status == 2 and "Fixing" not in out and "changed" in err
    assert dirty.read_text(encoding="utf-8") == edited


def test_check_reports_the_same_refusals_without_writing(tmp_path, dirty, capsys):
    os.link(dirty, tmp_path / "other.txt")
    status = main(["check", str(dirty), "--isolated"])
    _out, err = capsys.readouterr()
    assert status == 2 and "hard link" in err and dirty.read_text(encoding="utf-8") == DIRTY

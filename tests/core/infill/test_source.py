"""Code files for infill: refusals, positions, and saving in the file's own form."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest

from app.core.errors import UserError
from app.core.infill.source import CodeFile, read_code, read_code_file, split_at, write_code_file


def test_split_at_line_and_column() -> None:
    text = "ab\ncd\n"
    assert split_at(text, 1, 1) == ("", text)
    assert split_at(text, 2, 2) == ("ab\nc", "d\n")
    assert split_at(text, 3, 1) == (text, "")
    with pytest.raises(UserError, match="outside the file"):
        split_at(text, 4, 1)
    with pytest.raises(UserError, match="outside line 1"):
        split_at(text, 1, 4)


@pytest.mark.parametrize("data,message", [(b"\x00\x01ELF", "binary"), (b"x = '\xe9'\n", "not UTF-8")])
def test_binary_and_non_utf8_files_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(data)
    with pytest.raises(UserError, match=message):
        read_code(path)


def test_a_folder_or_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is a folder"):
        read_code(tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        read_code(tmp_path / "gone.py")


def test_saving_keeps_line_ends_bom_permissions_and_links(tmp_path: Path) -> None:
    target = tmp_path / "tool.sh"
    target.write_bytes(codecs.BOM_UTF8 + b"echo a\r\necho b\r\n")
    target.chmod(0o755)
    link = tmp_path / "link.sh"
    link.symlink_to(target)
    code = read_code_file(link)
    assert code.text == "echo a\necho b\n" and code.crlf and code.bom
    write_code_file(link, CodeFile(code.text + "echo c\n", code.crlf, code.bom))
    assert link.is_symlink()  # the link still points at the file, which holds the new text
    assert target.read_bytes() == codecs.BOM_UTF8 + b"echo a\r\necho b\r\necho c\r\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o755


def test_a_failed_save_leaves_the_old_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Could not save"):
        write_code_file(tmp_path / "missing-folder" / "x.py", CodeFile("x = 1\n"))

"""Scanning real folders built in the test: ignores, bad files, links and limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.repo.scan import RepoError, ScannedFile, ScanRules, Skipped, read_source, scan, scan_all


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def paths(result) -> list[str]:
    return [f.path for f in result.files]


def test_gitignore_nested_negation_and_info_exclude(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {
        ".gitignore": "*.log\n!keep.log\nsecret/\n",
        "a.py": "x = 1\n", "debug.log": "log", "keep.log": "kept",
        "secret/key.py": "k = 1\n",
        "pkg/.gitignore": "generated_*.py\n!generated_ok.py\n",
        "pkg/generated_x.py": "g = 1\n", "pkg/generated_ok.py": "ok = 1\n", "pkg/mod.py": "m = 1\n",
        ".git/info/exclude": "local_only.py\n", ".git/config": "[core]\n", "local_only.py": "l = 1\n",
        "node_modules/lib/index.js": "module.exports = 1\n",
    })
    result = scan_all(root)
    assert paths(result) == [".gitignore", "a.py", "keep.log", "pkg/.gitignore", "pkg/generated_ok.py", "pkg/mod.py"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["debug.log"] == "ignored" and reasons["pkg/generated_x.py"] == "ignored"
    assert reasons["local_only.py"] == "ignored"


def test_user_rules_can_force_files_back(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {".gitignore": "*.gen.py\n", "x.gen.py": "x = 1\n"})
    assert paths(scan_all(root)) == [".gitignore"]
    assert "x.gen.py" in paths(scan_all(root, ScanRules(includes=("*.gen.py",))))
    assert "x.gen.py" in paths(scan_all(root, ScanRules(honour_gitignore=False)))


def test_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {
        "ok.py": "print('hi')\n",
        "blob.dat": b"\x00\x01\x02" * 100,
        "latin1.txt": "caf\xe9".encode("latin-1"),
        "huge.log.txt": "x" * 2_000_000,
        "minified.js": "var a=1;" * 5000,
    })
    result = scan_all(root)
    assert {s.path: s.reason for s in result.skipped}["huge.log.txt"] == "too large"
    rules = ScanRules()
    assert read_source(root, "ok.py", rules) == ("print('hi')\n", None)
    assert read_source(root, "blob.dat", rules) == (None, "binary")
    assert read_source(root, "latin1.txt", rules) == (None, "not UTF-8")
    assert read_source(root, "minified.js", rules) == (None, "generated")
    assert read_source(root, "gone.py", rules)[1].startswith("unreadable")


def test_symlinks_loops_and_escapes(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"secret.py": "s = 1\n"})
    root = make(tmp_path / "repo", {"src/a.py": "a = 1\n"})
    os.symlink(root / "src", root / "src" / "loop")  # a directory link back to its parent
    os.symlink(outside, root / "escape")
    os.symlink(outside / "secret.py", root / "secret_link.py")
    os.symlink(root / "src" / "a.py", root / "alias.py")  # inside the root: allowed
    os.symlink(root / "nowhere", root / "dangling.py")
    result = scan_all(root)
    assert paths(result) == ["alias.py", "src/a.py"]
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["escape"] == reasons["secret_link.py"] == "outside root"
    assert reasons["src/loop"].startswith("link to a folder")  # like git: folder links are not followed
    assert reasons["dangling.py"].startswith("unreadable")


def test_empty_folder_single_file_and_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert scan_all(empty).files == []
    single = make(tmp_path / "one", {"main.py": "print(1)\n"})
    assert paths(scan_all(single)) == ["main.py"]
    with pytest.raises(RepoError, match="not a folder"):
        list(scan(single / "main.py"))
    with pytest.raises(RepoError, match="cannot open"):
        list(scan(tmp_path / "missing"))


def _tree(root: Path, folders: int, files: int) -> Path:
    """`folders` folders of `files` one-line Python files each."""
    for d in range(folders):
        folder = root / f"pkg{d}"
        folder.mkdir(parents=True)
        for f in range(files):
            (folder / f"m{f}.py").write_bytes(b"x = 1\n")
    return root


def test_file_limit_bounds_a_huge_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "big", 30, 40)
    result = scan_all(root, ScanRules(max_files=500))
    assert result.truncated and len(result.files) == 500


def test_unreadable_directory_is_reported(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {"a.py": "a = 1\n", "locked/b.py": "b = 1\n"})
    (root / "locked").chmod(0)
    try:
        items = list(scan(root))
        if os.geteuid() != 0:  # root reads anything
            assert any(isinstance(i, Skipped) and i.path == "locked" for i in items)
        assert any(isinstance(i, ScannedFile) and i.path == "a.py" for i in items)
    finally:
        (root / "locked").chmod(0o755)


def test_git_compatibility_details(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {
        ".gitignore": "\ufeffsecret.py\nfoo/**\n!foo/keep.py\n",
        "secret.py": "s = 1\n", "foo/keep.py": "k = 1\n", "foo/drop.py": "d = 1\n",
        "build/setup_helper.py": "b = 1\n",
    })
    kept = paths(scan_all(root))
    assert "secret.py" not in kept  # a BOM before the first pattern does not hide it
    assert "foo/keep.py" in kept and "foo/drop.py" not in kept  # negation inside an ignored folder
    assert "build/setup_helper.py" in kept  # build/ is source in many projects; .gitignore decides


def test_non_utf8_file_name_is_skipped_not_fatal(tmp_path: Path) -> None:
    root = make(tmp_path / "repo", {"ok.py": "x = 1\n"})
    os.close(os.open(os.fsencode(str(root)) + b"/caf\xe9.py", os.O_CREAT | os.O_WRONLY))
    result = scan_all(root)
    assert paths(result) == ["ok.py"]
    assert any(s.reason == "name not UTF-8" for s in result.skipped)


def test_tracked_files_are_kept_even_when_ignored(tmp_path: Path) -> None:
    import subprocess

    root = make(tmp_path / "repo", {"gen/keep.py": "k = 1\n", "gen/other.py": "o = 1\n", "a.py": "a = 1\n"})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "gen/keep.py", "a.py"], cwd=root, check=True)
    (root / ".gitignore").write_text("gen/\n")  # ignored after gen/keep.py was committed, as in real repos
    kept = paths(scan_all(root))
    assert "gen/keep.py" in kept and "gen/other.py" not in kept  # as `git ls-files` plus untracked would list
    assert "gen/keep.py" not in paths(scan_all(root, ScanRules(honour_gitignore=False, extra_excludes=("gen/",))))


def test_a_tree_of_200k_files_stops_at_the_file_limit(tmp_path: Path) -> None:
    root = _tree(tmp_path / "huge", 400, 500)
    result = scan_all(root, ScanRules())
    # Bounded: the default limit stops the walk and says so, instead of listing 200,000 files.
    assert result.truncated and len(result.files) == ScanRules().max_files

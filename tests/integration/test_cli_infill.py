"""`codellama-desktop infill`: only the middle on stdout, from a model with infill tokens or in words."""

from __future__ import annotations

from pathlib import Path

from app.core.engine import LocalEngine
from app.core.infill.prompt import InfillRequest
from app.core.settings import SamplingSettings
from tests.integration.test_cli import cli, one_line_error

CODE = "def area(width, height):\n    \n\nprint(area(2, 3))\n"


def test_fills_a_function_body_with_an_infill_model(app_home: Path, tmp_path: Path, tiny_codellama: Path) -> None:
    source = tmp_path / "shapes.py"
    source.write_text(CODE)
    result = cli("infill", str(source), "--line", "2", "--column", "5", "-m", str(tiny_codellama), "-t", "0",
                 "-n", "24", home=app_home)
    assert result.returncode == 0, result.stderr
    # Exactly the middle the engine makes of the same cursor: nothing else on stdout.
    engine = LocalEngine(tiny_codellama)
    try:
        expected = engine.infill_text(InfillRequest("def area(width, height):\n    ", "\n\nprint(area(2, 3))\n",
                                                    path="shapes.py"),
                                      SamplingSettings(temperature=0.0, max_tokens=24)).text()
    finally:
        engine.close()
    assert result.stdout == expected and expected
    assert "note:" not in result.stderr


def test_prefix_and_suffix_files(app_home: Path, tmp_path: Path, tiny_codellama: Path) -> None:
    (tmp_path / "before.py").write_text("def f(x):\n    ")
    (tmp_path / "after.py").write_text("\n")
    result = cli("infill", "--prefix-file", str(tmp_path / "before.py"), "--suffix-file", str(tmp_path / "after.py"),
                 "-m", str(tiny_codellama), "-n", "8", "--single-line", home=app_home)
    assert result.returncode == 0, result.stderr
    assert "\n" not in result.stdout.strip("\n")


def test_a_chat_model_fills_in_words_and_says_so(app_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "shapes.py"
    source.write_text(CODE)
    result = cli("infill", str(source), "-l", "2", "-c", "5", "-t", "0", "-n", "40", home=app_home)
    assert result.returncode == 0, result.stderr
    assert "no infill tokens" in result.stderr
    assert "width" in result.stdout and "```" not in result.stdout and "def area" not in result.stdout


def test_bad_input_gets_one_line(app_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "shapes.py"
    source.write_text(CODE)
    one_line_error(cli("infill", str(source), "-l", "40", "-c", "1", home=app_home), 1, "outside the file")
    one_line_error(cli("infill", str(source), "-l", "1", "-c", "99", home=app_home), 1, "outside line 1")
    blob = tmp_path / "blob.py"
    blob.write_bytes(b"\x7fELF\0\0\x01")
    one_line_error(cli("infill", str(blob), "-l", "1", "-c", "1", home=app_home), 1, "binary")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"x = '\xe9'\n")
    one_line_error(cli("infill", str(latin), "-l", "1", "-c", "1", home=app_home), 1, "not UTF-8")
    one_line_error(cli("infill", str(tmp_path / "gone.py"), "-l", "1", "-c", "1", home=app_home), 1,
                   "does not exist")
    one_line_error(cli("infill", home=app_home), 1, "--line")


def test_an_empty_file_can_be_filled(app_home: Path, tmp_path: Path, tiny_codellama: Path) -> None:
    empty = tmp_path / "empty.py"
    empty.write_text("")
    result = cli("infill", str(empty), "-l", "1", "-c", "1", "-m", str(tiny_codellama), "-n", "4", home=app_home)
    assert result.returncode == 0, result.stderr


def test_repository_definitions_join_the_prompt(app_home: Path, tmp_path: Path, tiny_bpe) -> None:
    from tests.core.repo.test_index_pack import FILES
    from tests.core.repo.test_scan import make

    root = make(tmp_path / "demo", FILES)
    source = root / "src" / "download.py"
    source.write_text("from src.net.retry import RetryPolicy\n\ndef download(url):\n    policy = RetryPolicy(\n")
    result = cli("-v", "infill", str(source), "-l", "4", "-c", "26", "--repo", str(root), "-m",
                 str(tiny_bpe("qwen")), "-n", "8", home=app_home)
    assert result.returncode == 0, result.stderr
    assert "indexed" in result.stderr  # the repository was opened (and its index is cached for next time)
    assert "1 snippets from other files (src/net/retry.py)" in result.stderr


def test_a_chat_model_says_repository_definitions_do_not_apply(app_home: Path, tmp_path: Path) -> None:
    from tests.core.repo.test_index_pack import FILES
    from tests.core.repo.test_scan import make

    root = make(tmp_path / "demo", FILES)
    source = root / "src" / "shapes.py"
    source.write_text(CODE)
    result = cli("-v", "infill", str(source), "-l", "2", "-c", "5", "--repo", str(root), "-t", "0", "-n", "8",
                 home=app_home)
    assert result.returncode == 0, result.stderr
    assert "--repo and --spm do not apply" in result.stderr
    assert "indexed" not in result.stderr  # an instruction fill would not use the definitions: none are looked up

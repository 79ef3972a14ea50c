"""Messages the core makes for people reach the GUI in Chinese.

Each case drives a real failure (a truncated GGUF, a missing model file, a repository path that is
a file, a refused setting, a stopped template...) through the core's own code; the message it
gives is English (what the CLI prints and the core's tests compare) and, resolved with the core's
zh_CN translation compiled here by pyside6-lrelease, Chinese, with the same file names and figures.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.catalogue.rows import Machine
from app.core.engine_figures import describe_figures
from app.core.engine_types import GenerationStats
from app.core.errors import ModelFileError, ModelNotFoundError, UserError
from app.core.gguf_info import read_gguf_info
from app.core.i18n import Text, join_list, translate
from app.core.manifest import Manifest
from app.core.models import resolve_model
from app.core.prompts import template_sandbox
from app.core.repo.assistant_types import OpenedRepo
from app.core.repo.index import RepoIndex
from app.core.repo.scan import RepoError, scan
from app.core.settings import Language, Settings
from app.core.settings_owner import SettingsError, SettingsOwner
from app.ui.i18n import install_translations, resolve
from scripts.translations import FOLDER, tool


@pytest.fixture(scope="module")
def core_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed core zh_CN translation, compiled; the folder holds nothing else."""
    folder = tmp_path_factory.mktemp("core_qm")
    source = FOLDER / "codellama_core_zh_CN.ts"
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(source), "-qm", str(folder / "codellama_core_zh_CN.qm")],
                   check=True)
    return folder


@pytest.fixture
def chinese(qapp, core_qm: Path, tmp_path: Path):
    assert install_translations(qapp, Language.CHINESE, core_qm) == "zh_CN"
    yield
    empty = tmp_path / "none"
    empty.mkdir()
    install_translations(qapp, Language.ENGLISH, empty)  # removes the translators again


def _error(call, kind: type[BaseException] = UserError) -> UserError:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


def test_a_truncated_gguf_is_told_in_chinese(chinese, smollm2_path: Path, tmp_path: Path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[:4096])  # ends inside the GGUF header
    error = _error(lambda: read_gguf_info(cut), ModelFileError)
    assert isinstance(error.message, Text)
    assert str(error) == "cut.gguf: the file is truncated (it ends inside the GGUF header)"
    shown = resolve(error.message)
    assert shown == "cut.gguf：文件不完整（在 GGUF 文件头内就结束了）"


def test_a_gguf_cut_after_its_header_gives_its_sizes_in_chinese(chinese, smollm2_path: Path, tmp_path: Path):
    info = read_gguf_info(smollm2_path)
    cut = tmp_path / "short.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[: info.data_offset + 100])
    error = _error(lambda: read_gguf_info(cut), ModelFileError)
    size = info.data_offset + 100
    assert str(error) == (f"short.gguf: the file is truncated ({size:,} of {info.expected_size:,} bytes); "
                          "download it again")
    assert resolve(error.message) == f"short.gguf：文件不完整（{size:,} / {info.expected_size:,} 字节）；请重新下载"


def test_a_file_that_is_not_gguf_nests_its_reason_in_chinese(chinese, tmp_path: Path):
    other = tmp_path / "notes.gguf"
    other.write_bytes(b"PK\x03\x04" + b"\0" * 200)  # a zip, renamed
    error = _error(lambda: read_gguf_info(other), ModelFileError)
    assert str(error) == "notes.gguf: this is not a GGUF model file (wrong magic bytes)"
    # The outer "{name}: {reason}" and the reason inside it are both translated.
    assert resolve(error.message) == "notes.gguf：这不是 GGUF 模型文件（魔数不符）"


def test_a_missing_model_file_is_told_in_chinese(chinese, tmp_path: Path):
    missing = tmp_path / "gone" / "model.gguf"
    error = _error(lambda: resolve_model(str(missing), Manifest(()), tmp_path / "models"), ModelNotFoundError)
    assert str(error) == f"model file not found: {missing}"
    assert resolve(error.message) == f"找不到模型文件：{missing}"


def test_a_repository_that_is_a_file_is_told_in_chinese(chinese, tmp_path: Path):
    file = tmp_path / "main.py"
    file.write_text("print('hi')\n")
    error = _error(lambda: list(scan(file)), RepoError)
    assert str(error) == f"{file} is not a folder"
    assert resolve(error.message) == f"{file} 不是文件夹"


def test_a_refused_setting_translates_the_reason_inside(chinese):
    owner = SettingsOwner(Settings())
    error = _error(lambda: owner.update(sampling={"temperature": 99.0}), SettingsError)
    assert str(error) == "That setting cannot be used: temperature must be between 0 and 2."
    assert resolve(error.message) == "该设置无法使用：temperature 必须在 0 到 2 之间。"


def test_a_stopped_chat_template_is_told_in_chinese(chinese):
    template = "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}"
    error = _error(lambda: template_sandbox.render(template, messages=[{"role": "user", "content": "hi"}],
                                                   bos_token="", eos_token=""), ModelFileError)
    # Three marked pieces: the headline, its subject and the limit that stopped it.
    assert str(error) == "the model's chat template was stopped: it runs more than 1,000,000 loop iterations and calls"
    assert resolve(error.message) == "模型的对话模板已被中止：它执行了超过 1,000,000 次循环迭代和调用"


def test_the_machine_line_counts_cores_in_both_languages(chinese):
    one = Machine(8 * 2**30, None, "CPU", cores=1)
    four = Machine(16 * 2**30, None, "CPU", cores=4)
    assert one.describe() == "This machine: 8 GiB RAM, 1 CPU core, no GPU found; llama.cpp backend: CPU."
    assert four.describe() == "This machine: 16 GiB RAM, 4 CPU cores, no GPU found; llama.cpp backend: CPU."
    assert resolve(four.describe()) == "本机：16 GiB 内存，4 个 CPU 核心，未找到 GPU；llama.cpp 后端：CPU。"


def test_a_list_of_reasons_takes_the_chinese_separator(chinese):
    reasons = [translate("core", "binary"), translate("core", "too large"), "vendor/"]
    assert join_list(reasons) == "binary, too large, vendor/"
    assert resolve(join_list(reasons)) == "二进制文件、过大、vendor/"


def test_figures_and_their_plural_are_translated(chinese):
    one = GenerationStats(generated_tokens=1, first_token_seconds=0.4, total_seconds=0.4)
    many = GenerationStats(generated_tokens=1200, first_token_seconds=75.0, total_seconds=85.0)
    assert describe_figures(one) == "0.4 s to first token · 1 token"
    assert resolve(describe_figures(one)) == "首词元 0.4 秒 · 1 个词元"
    assert describe_figures(many) == "75 s to first token · 119.9 tokens/s · 1,200 tokens"
    assert resolve(describe_figures(many)) == "首词元 75 秒 · 119.9 词元/秒 · 1,200 个词元"


def test_english_stays_the_source_without_a_translation(qapp, tmp_path: Path):
    empty = tmp_path / "none"
    empty.mkdir()
    install_translations(qapp, Language.ENGLISH, empty)
    stats = GenerationStats(generated_tokens=3, first_token_seconds=0.5)
    assert resolve(describe_figures(stats)) == describe_figures(stats) == "0.5 s to first token · 3 tokens"


def test_every_core_source_is_translated_in_the_committed_file(tmp_path: Path):
    """lupdate over app/core finds no string the committed zh_CN file lacks or leaves unfinished."""
    from scripts.translations import lupdate, messages, ts_path

    fresh = tmp_path / "core.ts"
    shutil.copy(ts_path("core", "zh_CN"), fresh)
    lupdate("core", "zh_CN", fresh)
    committed = messages(ts_path("core", "zh_CN"))
    problems = [key for key, done in messages(fresh).items() if key not in committed or not done]
    assert problems == []


def test_skip_reasons_read_back_from_the_index_are_translated(chinese, tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.py").write_text("def main():\n    return 1\n")
    (repo / "blob.py").write_bytes(b"x = 1\x00\x00" * 50)  # source by its name, binary by its bytes
    index = RepoIndex(repo, tmp_path / "cache")
    try:
        first = index.update()
        again = index.update()  # nothing changed: the binary file's reason comes from SQLite
    finally:
        index.close()
    for stats in (first, again):
        opened = OpenedRepo(repo, stats, [], None)
        assert opened.summary() == f"{repo}: 1 files, 1 chunks ({stats.reindexed:,} read now); 1 skipped: 1 binary"
        assert resolve(opened.summary()) == (f"{repo}：1 个文件，1 个片段（本次读取 {stats.reindexed:,} 个）；"
                                             "跳过 1 个：二进制文件 1 个")

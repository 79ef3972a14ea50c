"""The chat, repository, infill and server texts that change with state, in the compiled translations.

The window walk (test_translations.py) reads what the windows show when they open; these texts only
appear later (a stopped answer, a fill waiting for review, a second request in the log), so they are
checked here on the widgets themselves, with the area's real .ts files compiled by lrelease: in
zh_CN with every unfinished string marked, and the English plural forms.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication

from app.core.markdown_blocks import Block
from app.core.repo.pack import PackedChunk, PackResult
from app.core.settings import Language
from app.core.store import MessageState
from app.ui.chat.action_bar import ActionBar
from app.ui.chat.message_view import CodeBlockView, MessageView
from app.ui.i18n import install_translations
from app.ui.infill.controls import FillState, state_hint
from app.ui.infill.language import LanguageBox
from app.ui.repo.answers import sources_html
from app.ui.repo.context_table import ContextTable
from app.ui.server.request_log import RequestLogModel
from scripts.translations import FOLDER, tool

AREAS = ("chat", "repo", "infill", "server")
MARK = "‼"


def compile_areas(folder: Path, locale: str) -> Path:
    for area in AREAS:
        ts = FOLDER / f"codellama_{area}_{locale}.ts"
        subprocess.run([tool("pyside6-lrelease"), "-silent", "-markuntranslated", MARK, str(ts), "-qm",
                        str(folder / f"{ts.stem}.qm")], check=True)
    return folder


@pytest.fixture
def speaking(qtbot, tmp_path):
    """Install this area's translations for a language; everything is removed again afterwards."""
    app = QApplication.instance()
    before = QLocale()

    def install(language: Language) -> None:
        locale = "zh_CN" if language is Language.CHINESE else "en"
        folder = tmp_path / locale
        folder.mkdir(exist_ok=True)
        install_translations(app, language, compile_areas(folder, locale))

    yield install
    install_translations(app, Language.ENGLISH, tmp_path / "none")
    QLocale.setDefault(before)


def test_texts_that_come_with_state_are_chinese(qtbot, speaking) -> None:
    speaking(Language.CHINESE)
    stopped = MessageView("assistant", "部分回答", style="friendly", state=MessageState.STOPPED, actions=True)
    cut = MessageView("assistant", "", style="friendly", state=MessageState.CUT, actions=True)
    mine = MessageView("user", "问题", style="friendly", actions=True)
    for view in (stopped, cut, mine):
        qtbot.addWidget(view)
    assert stopped.who.text() == "助手（已停止）" and cut.who.text() == "助手（达到词元上限被截断）"
    assert cut.continue_button.text() == "继续" and mine.who.text() == "你" and mine.action_button.text() == "编辑"
    block = CodeBlockView(Block("code", "x = 1", "", closed=False), "friendly")  # still streaming: no language yet
    qtbot.addWidget(block)
    assert block.label.text() == "代码" and block.copy_button.text() == "复制"

    bar = ActionBar()
    qtbot.addWidget(bar)
    assert bar.meter.format() == "未加载模型"  # the default note is asked for when shown, not at import
    bar.set_usage(10, 2048)
    assert bar.meter.format() == "%v / %m 词元"

    assert state_hint(FillState.REVIEWING).startswith("Tab 接受 · Esc 拒绝")
    assert state_hint(FillState.IDLE) == ""

    model = RequestLogModel()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in (0, 2, 6)] == ["时间", "路径", "客户端"]
    assert sources_html([]) == "<small>来源：无（此问题没有打包任何代码）</small>"
    for text in (stopped.who.text(), bar.meter.format(), state_hint(FillState.PREVIEWING)):
        assert MARK not in text


def test_auto_still_means_automatic_in_chinese(qtbot, speaking) -> None:
    """The language box recognised "Auto" by its English text; translated, it is still the automatic choice."""
    speaking(Language.CHINESE)
    box = LanguageBox()
    qtbot.addWidget(box)
    chosen: list[str] = []
    box.chosen.connect(chosen.append)
    assert box.itemText(0) == "自动" and box.automatic
    box.setCurrentText("Python")
    assert chosen == ["Python"] and not box.automatic
    box.setCurrentText("自动")
    assert chosen == ["Python", ""] and box.automatic  # '' asks for a guess again
    box.show_language("")
    assert box.currentText() == "自动"


def test_english_plural_forms_come_from_the_english_file(qtbot, speaking) -> None:
    table = ContextTable()
    qtbot.addWidget(table)
    one = PackResult("q", budget=4096, map_tokens=70, used_tokens=1234,
                     chunks=[PackedChunk("a.py", 1, 9, 3.0, 1164, "x")])
    table.show_context(one)
    # No English translation installed: the source as written (its plural).
    assert table.total.text() == "1 chunks + repository map (70 tokens): 1,234 of 4,096 tokens"
    speaking(Language.ENGLISH)
    table.show_context(one)
    assert table.total.text() == "1 chunk + repository map (70 tokens): 1,234 of 4,096 tokens"
    two = PackResult("q", budget=4096, map_tokens=70, used_tokens=2400,
                     chunks=[PackedChunk("a.py", 1, 9, 3.0, 1164, "x"), PackedChunk("b.py", 1, 9, 2.0, 1166, "y")])
    table.show_context(two)
    assert table.total.text() == "2 chunks + repository map (70 tokens): 2,400 of 4,096 tokens"
    speaking(Language.CHINESE)
    table.show_context(two)
    assert table.total.text() == "2 个代码块 + 仓库地图（70 词元）：已用 2,400 / 4,096 词元"

"""The Chinese interface: every window in zh_CN shows no untranslated text.

The translations are compiled with `-markuntranslated ‼`, so a string that is in a .ts file but
not translated shows as "‼Source". A string that never went through tr() shows as plain English:
the walk also fails on any run of three or more Latin letters that is not a product or technical
name, a path, a model's name or a key. Both checks read what the widgets hold (labels, buttons,
placeholders, tool tips, combo items, spin box words, tabs, list items, view headers, actions and
menus), hidden widgets included, since a hidden retry button or banner is shown later.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pygments.lexers import get_all_lexers
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QTabBar,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import UserError
from app.core.i18n import translate
from app.core.settings import Language
from app.ui.highlight import available_styles
from app.ui.i18n import CHINESE, ENGLISH, install_translations, locale_for, resolve
from scripts.translations import FOLDER, tool

MARK = "‼"

# Names that stay as they are in any language (the translation brief keeps them), and words of
# technical notation. Compared case-sensitively after paths, addresses and file names are removed.
KEPT = ("Code Llama Desktop", "Code Llama", "llama.cpp", "llama-cpp-python", "llama-server", "llama.vscode", "Hugging Face",
        "huggingface.co", "GGUF", "SmolLM2", "SmolLM", "Ollama", "LM Studio", "vLLM", "OpenAI", "Qwen",
        "DeepSeek", "StarCoder", "Mistral", "Llama", "HumanEval", "MBPP", "pass@1", "SQLite", "Python", "Pygments",
        "Ctrl", "Shift", "Enter", "Return", "Esc", "Tab", "Alt", "curl", "gitignore", "localhost", "Bearer",
        "HF_TOKEN", "HF_ENDPOINT", "hf auth login", "hf_", "Top-p", "Top-k", "top_p", "top_k", "GiB", "MiB",
        "tokens/s", "Linux", "macOS", "Windows", "Xvfb", "Markdown", "Continue", "Unicode", "UTF-8", "sha256",
        "Fusion", "CORS", "FIM", "JavaScript", "cURL", "English", "Hub", "openai", "arXiv",
        "Rozière")

ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*"  # an address
                     r"|\S*[/\\]\S*"  # a path
                     r"|(?<!\w)\.?[\w-]+(?:\.[\w-]+)+|(?<!\w)\.[\w-]+"  # a file or host name: .git, yarn.lock, a.py
                     r"|\b\w*_\w*\b|\b\w*\d\w*\b")  # an identifier or figure: HF_TOKEN, Q4_K_M, 7B
ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")  # GPU, CPU, API, RAM, URL, KB, MB, GB: read as they are
ENGLISH_RUN = re.compile(r"[A-Za-z]{3,}")
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Shown:
    where: str
    text: str


def _name(widget) -> str:
    return f"{type(widget).__name__}#{widget.objectName()}" if widget.objectName() else type(widget).__name__


def _visible_text(text: str) -> str:
    """Rich text (a tool tip, a link) as a person reads it."""
    return html.unescape(TAG.sub(" ", text)) if "<" in text else text


def shown_texts(window: QWidget) -> list[Shown]:
    """Every text `window`'s own widgets and actions hold (child windows are walked on their own)."""
    found: list[Shown] = []

    def add(where: str, text: str | None) -> None:
        if text and text.strip():
            found.append(Shown(where, _visible_text(text)))

    for widget in [window, *window.findChildren(QWidget)]:
        if widget.window() is not window:
            continue
        name = _name(widget)
        add(f"{name} tool tip", widget.toolTip())
        add(f"{name} status tip", widget.statusTip())
        if widget.isWindow():
            add(f"{name} title", widget.windowTitle())
        if isinstance(widget, QLabel):
            add(f"{name} label", widget.text())
        elif isinstance(widget, QAbstractButton):
            add(f"{name} button", widget.text())
        elif isinstance(widget, QLineEdit):
            add(f"{name} placeholder", widget.placeholderText())  # what is typed in it is the user's
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            add(f"{name} placeholder", widget.placeholderText())
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(f"{name} item", widget.itemText(i))
                add(f"{name} item tool tip", widget.itemData(i, Qt.ItemDataRole.ToolTipRole))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            add(f"{name} special value", widget.specialValueText())
            add(f"{name} suffix", widget.suffix())
            add(f"{name} prefix", widget.prefix())
        elif isinstance(widget, QGroupBox):
            add(f"{name} group", widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(f"{name} tab", widget.tabText(i))
                add(f"{name} tab tool tip", widget.tabToolTip(i))
        elif isinstance(widget, QMenu):
            add(f"{name} menu", widget.title())
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            found += _view_texts(widget, name)
    for action in window.findChildren(QAction):
        if action.isSeparator():
            continue
        add(f"action {action.objectName() or action.text()!r}", action.text())
        add(f"action {action.text()!r} tool tip", action.toolTip())
    return found


def _view_texts(view: QAbstractItemView, name: str) -> list[Shown]:
    model = view.model()
    if model is None:
        return []
    found = []
    try:
        columns = model.columnCount()
    except TypeError:  # a list model: PySide keeps its columnCount private
        columns = 1
    header = getattr(view, "header", None) or getattr(view, "horizontalHeader", None)
    if header is not None and not header().isHidden():
        for column in range(columns):
            label = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            if label:
                found.append(Shown(f"{name} header", str(label)))
    for row in range(min(model.rowCount(), 200)):
        for column in range(columns):
            index = model.index(row, column)
            for role, kind in ((Qt.ItemDataRole.DisplayRole, "item"), (Qt.ItemDataRole.ToolTipRole, "item tool tip")):
                value = index.data(role)
                if isinstance(value, str) and value.strip():
                    found.append(Shown(f"{name} {kind}", _visible_text(value)))
    return found


def data_phrases(window) -> list[str]:
    """Text that is data, not the interface: model names, titles and files, code styles, the loaded model."""
    phrases: set[str] = set(available_styles())
    phrases.update(name for name, *_rest in get_all_lexers())  # the infill pane's languages, as pygments names them
    for entry in window.ctx.manifest.entries:
        phrases.update(p for p in (entry.name, entry.id, entry.family, entry.quantization, entry.license) if p)
        phrases.update(entry.files)
        phrases.add(" ".join(w for w in entry.name.split() if w.upper() != entry.quantization.upper()))  # a card's title
    models = window.models_window
    if models is not None and models.listing is not None:
        phrases.update(card.title for card in models.listing.cards)
        phrases.update(str(card.family) for card in models.listing.cards)
    info = window.inference.info
    if info is not None:
        phrases.update(p for p in (info.model_name, info.backend) if p)
    if window.repo.root is not None:
        phrases.add(window.repo.root.name)  # the open repository's folder, named in the Server window
    return sorted(phrases, key=len, reverse=True)  # longest first: a name before the words inside it


@functools.lru_cache(maxsize=8)
def _whole(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for every phrase as a whole word or words, longest first (a name before the words in it)."""
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w])")


def english_left(text: str, data: list[str]) -> list[str]:
    """The English words in `text` that are not names, notation or data."""
    rest = _whole(KEPT + tuple(data)).sub(" ", text)  # longest first: "Code Llama Desktop" before "Code Llama"
    rest = ADDRESS.sub(" ", rest)
    rest = ACRONYM.sub(" ", rest)
    return ENGLISH_RUN.findall(rest)


def untranslated(window: QWidget, where: str, data: list[str], seen: set[Shown] | None = None) -> list[str]:
    """What `window` shows untranslated; `seen` skips texts already reported (a window walked once per pane)."""
    seen = set() if seen is None else seen
    problems = []
    for shown in shown_texts(window):
        if shown in seen:
            continue
        seen.add(shown)
        if MARK in shown.text:
            problems.append(f"{where}: {shown.where}: not translated: {shown.text!r}")
        elif words := english_left(shown.text, data):
            problems.append(f"{where}: {shown.where}: English {words} in {shown.text!r}")
    return problems


@pytest.fixture(scope="module")
def marker_translations(tmp_path_factory) -> Path:
    """The zh_CN .ts files compiled with every unfinished string marked."""
    folder = tmp_path_factory.mktemp("marked")
    for ts in sorted(FOLDER.glob("codellama_*_zh_CN.ts")):
        subprocess.run([tool("pyside6-lrelease"), "-silent", "-markuntranslated", MARK, str(ts), "-qm",
                        str(folder / f"{ts.stem}.qm")], check=True)
    return folder


@pytest.fixture
def in_chinese(marker_translations, tmp_path):
    app = QApplication.instance()
    before = QLocale()
    assert install_translations(app, Language.CHINESE, marker_translations) == CHINESE
    yield marker_translations
    install_translations(app, Language.ENGLISH, tmp_path / "none")  # removes every translator again
    QLocale.setDefault(before)


def every_window(qtbot, window, tmp_path):
    """(name, window) for each pane of the main window and every other window and dialog the app opens."""
    for pane in (window.chat, window.repo, window.infill):
        window.tabs.setCurrentWidget(pane)
        yield f"Main/{type(pane).__name__}", window
    window.show_error(UserError("磁盘已满", retryable=True), retry=lambda: None)  # the banner, its retry button
    assert window.banner.retry_button.isVisibleTo(window)
    yield "Main/error banner", window
    about = window.show_about()
    yield "About", about
    about.close()
    settings = window.open_settings()
    for page in settings.pages:
        settings.show_page(page.key)
        yield f"Settings/{page.key}", settings
    settings.reload_bar.show()
    settings.offer_reload_for({"context_limit", "threads"})
    yield "Settings/reload offer", settings
    settings.close()
    models = window.open_models()
    qtbot.waitUntil(lambda: models.listing is not None and models.hub is not None, timeout=20000)
    if models.listing.rows:
        models.select(models.listing.rows[0].entry.id)
    yield "Models", models
    models.remote_button.click()
    remote = models.remote_dialog
    yield "Remote engine", remote
    remote.close()
    models.close()
    server = window.open_server()
    yield "Server", server
    server.close()
    from app.ui.repo.rules_dialog import RulesDialog

    rules = RulesDialog(window.ctx.settings, window)
    rules.show()
    yield "Repository rules", rules
    rules.close()
    measure = window.actions_by_name.get("measure")
    if measure is not None:  # the Measure window, once the app has one
        before = set(QApplication.topLevelWidgets())
        measure.trigger()
        opened = [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]
        for made in opened:
            yield f"Measure/{_name(made)}", made
            made.close()


def test_every_window_in_chinese_shows_no_untranslated_text(qtbot, make_window, in_chinese, tmp_path) -> None:
    window = make_window(load=True)  # the embedded model: the first-run text and the loaded model's line
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def f():\n    return 1\n")
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))  # a skipped file: the plural count
    window.repo.open_folder(repo)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    problems: list[str] = []
    seen: set[Shown] = set()
    walked = 0
    for name, shown in every_window(qtbot, window, tmp_path):
        qtbot.waitUntil(shown.isVisible, timeout=5000)
        data = data_phrases(window)
        texts = shown_texts(shown)
        assert texts, name  # the walk reads something in every window
        walked += len(texts)
        problems += untranslated(shown, name, data, seen)
    assert walked > 200
    unique = list(dict.fromkeys(problems))
    assert unique == [], f"{len(unique)} untranslated:\n" + "\n".join(unique)


def test_the_walk_finds_what_was_not_translated(qtbot, in_chinese) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("下载 Code Llama 7B (Q4_K_M, 4.1 GB) 到 /home/me/models/a.gguf"))  # names, a path: fine
    layout.addWidget(QLabel(f"{MARK}Download"))  # in a .ts, not translated
    never = QLabel("Never wrapped")
    never.setObjectName("never")
    layout.addWidget(never)
    field = QLineEdit()
    field.setPlaceholderText("按 Ctrl+Enter 发送")
    field.setToolTip("<b>Search</b> models")
    layout.addWidget(field)
    window.show()
    problems = untranslated(window, "probe", ["Code Llama 7B"])
    assert len(problems) == 3, problems
    assert any("QLabel#never label: English ['Never', 'wrapped']" in p for p in problems)
    assert any("not translated: '‼Download'" in p for p in problems)
    assert any("QLineEdit tool tip: English ['Search', 'models']" in p for p in problems)


def test_every_bundled_model_note_is_translatable() -> None:
    from app.core.manifest import bundled_manifest_path, load_manifest
    from app.ui.models.notes import NOTES

    notes = {entry.note for entry in load_manifest(bundled_manifest_path()) if entry.note}
    assert notes and notes <= set(NOTES), notes - set(NOTES)


def test_resolve_translates_a_core_message_with_a_real_translation(qtbot, tmp_path) -> None:
    ts = tmp_path / "codellama_core_zh_CN.ts"
    ts.write_text("""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context><name>core</name>
<message><source>Could not read {path}: {reason}</source><translation>无法读取 {path}：{reason}</translation></message>
<message><source>the disk is full</source><translation>磁盘已满</translation></message>
<message numerus="yes"><source>%n file(s) skipped</source><translation><numerusform>跳过了 %n 个文件</numerusform>
</translation></message>
</context></TS>
""", encoding="utf-8")
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    reason = translate("core", "the disk is full").format()
    message = translate("core", "Could not read {path}: {reason}").format(path="/tmp/a.py", reason=reason)
    skipped = translate("core", "%n file(s) skipped", n=3).format()
    untouched = translate("core", "Not in the file").format()
    app = QApplication.instance()
    before = QLocale()
    assert (resolve(message), resolve(skipped)) == (
        "Could not read /tmp/a.py: the disk is full", "3 files skipped")  # no translator: the English
    try:
        install_translations(app, Language.CHINESE, tmp_path)
        assert resolve(message) == "无法读取 /tmp/a.py：磁盘已满"  # the nested reason translated too
        assert resolve(skipped) == "跳过了 3 个文件"
        assert resolve(untouched) == "Not in the file"
        assert resolve("plain text") == "plain text"
    finally:
        install_translations(app, Language.ENGLISH, tmp_path / "none")
        QLocale.setDefault(before)
    assert resolve(message) == "Could not read /tmp/a.py: the disk is full"


@pytest.mark.parametrize("system,expected", [
    ("zh_CN", CHINESE), ("zh_SG", CHINESE), ("zh-Hans", CHINESE), ("zh_Hans_HK", CHINESE),
    ("zh_TW", ENGLISH), ("zh_HK", ENGLISH), ("zh-Hant", ENGLISH), ("en_US", ENGLISH), ("de_DE", ENGLISH),
])
def test_the_system_locale_picks_the_interface_language(system: str, expected: str) -> None:
    assert locale_for(Language.SYSTEM, QLocale(system)) == expected
    assert locale_for(Language.CHINESE, QLocale(system)) == CHINESE
    assert locale_for(Language.ENGLISH, QLocale(system)) == ENGLISH


def test_choosing_a_language_saves_it_and_offers_to_restart_now_or_later(qtbot, make_window, app_home) -> None:
    import json

    from app.ui.restart import restart_command

    window = make_window(load=False)
    window.ctx.settings_owner.save = window._autosave  # saved as in the app
    settings = window.open_settings("Appearance")
    language = next(f for page in settings.pages for f in page.fields if f.name == "language").widget
    assert [language.itemText(i) for i in range(language.count())] == ["System", "English", "简体中文"]
    language.setCurrentIndex(language.findData(Language.CHINESE))
    settings.apply_button.click()
    assert window.ctx.settings.language is Language.CHINESE
    qtbot.waitUntil(lambda: settings.restart_box.isVisible(), timeout=5000)
    later = next(b for b in settings.restart_box.buttons() if b is not settings.restart_now)
    later.click()
    assert window.isVisible() and window.restart_command is None  # later: nothing restarts
    settings_file = app_home / "config" / "settings.json"
    qtbot.waitUntil(lambda: settings_file.exists() and json.loads(settings_file.read_text())["language"] == "zh_CN",
                    timeout=5000)

    language.setCurrentIndex(language.findData(Language.ENGLISH))
    settings.apply_button.click()
    qtbot.waitUntil(lambda: settings.restart_box.isVisible(), timeout=5000)
    settings.restart_now.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)  # quit through the window's normal close
    assert window.restart_command == restart_command()
    qtbot.waitUntil(lambda: json.loads(settings_file.read_text())["language"] == "en", timeout=5000)


def test_start_again_starts_the_command_detached(qtbot, tmp_path) -> None:
    import sys

    from app.ui.restart import start_again

    marker = tmp_path / "started"
    assert start_again((sys.executable, ["-c", f"open({str(marker)!r}, 'w').write('again')"]))
    qtbot.waitUntil(marker.exists, timeout=20000)
    qtbot.waitUntil(lambda: marker.read_text() == "again", timeout=5000)

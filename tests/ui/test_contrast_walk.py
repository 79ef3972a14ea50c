"""Every widget of every window, in both themes after a live switch: text against what it is drawn on.

The text colour is the one the widget paints with: its palette's foreground role after the style
sheet has been applied (Qt's style sheet style writes `color:` rules into the widget's palette), the
placeholder colour for an empty field, the highlighted-text colour for a selected row. The
background is measured, not guessed: the most common colour in the widget's visible area of the
rendered window, so a parent's style sheet background (the red error banner, a card's base) counts
as it is drawn. WCAG AA asks 4.5:1 for body text. Syntax colours inside code blocks are the chosen
Pygments style's; the code block's own text and background colours are checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)

from app.core.settings import Theme

AA = 4.5


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio: 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def measured_background(image: QImage, rect: QRect) -> QColor | None:
    """The commonest colour of `rect` in `image` (text covers far less of a widget than its background).

    Colours are counted in coarse bins, then averaged within the winning bin: a button's face is a
    gradient (no one exact colour wins there, and its one-colour outline would).
    """
    rect = rect.intersected(image.rect())
    if rect.width() < 2 or rect.height() < 2:
        return None
    step = max(1, int((rect.width() * rect.height() / 1600) ** 0.5))  # about 1600 samples, whatever the size
    pixels = [QColor.fromRgb(image.pixel(x, y)) for x in range(rect.left(), rect.right() + 1, step)
              for y in range(rect.top(), rect.bottom() + 1, step)]
    bins: dict[tuple[int, int, int], list[QColor]] = {}
    for color in pixels:
        bins.setdefault((color.red() // BIN, color.green() // BIN, color.blue() // BIN), []).append(color)
    winner = max(bins.values(), key=len)
    return QColor(*(round(sum(getattr(c, part)() for c in winner) / len(winner)) for part in ("red", "green", "blue")))


BIN = 24  # colour levels per bin: a face's gradient falls in one or two


@dataclass(frozen=True)
class Text:
    widget: QWidget
    what: str
    color: QColor
    rect: QRect  # in the window's coordinates


def _visible_rect(widget: QWidget, window: QWidget, local: QRect | None = None) -> QRect:
    area = widget.visibleRegion().boundingRect()
    if local is not None:
        area = area.intersected(local)
    return QRect(widget.mapTo(window, area.topLeft()), area.size()) if not area.isEmpty() else QRect()


def _item_texts(view: QAbstractItemView, window: QWidget) -> list[Text]:
    model = view.model()
    if model is None:
        return []
    found = []
    viewport = view.viewport()
    palette = view.palette()
    selected = {index for index in view.selectionModel().selectedIndexes()} if view.selectionModel() else set()

    def walk(parent: QModelIndex, depth: int) -> None:
        try:
            columns = model.columnCount(parent)
        except TypeError:  # a list model: PySide keeps its columnCount private
            columns = 1
        for row in range(min(model.rowCount(parent), 200)):
            for column in range(columns):
                index = model.index(row, column, parent)
                label = index.data(Qt.ItemDataRole.DisplayRole)
                rect = view.visualRect(index)
                if not label or rect.isEmpty() or not viewport.rect().intersects(rect):
                    continue
                brush = index.data(Qt.ItemDataRole.ForegroundRole)
                if index in selected:
                    color = palette.color(QPalette.ColorRole.HighlightedText)
                else:
                    color = brush.color() if brush is not None else palette.color(QPalette.ColorRole.Text)
                found.append(Text(view, f"item {str(label)[:30]!r}", color, _visible_rect(viewport, window, rect)))
            if depth < 3 and hasattr(view, "isExpanded"):
                for row in range(min(model.rowCount(parent), 200)):
                    index = model.index(row, 0, parent)
                    if model.hasChildren(index) and view.isExpanded(index):
                        walk(index, depth + 1)

    walk(view.rootIndex(), 0)
    return found


def texts(window: QWidget) -> list[Text]:
    """The text every visible, enabled widget of `window` draws, with its colour and where."""
    found: list[Text] = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.isEnabled() or widget.window() is not window:
            continue
        palette = widget.palette()
        fg = palette.color(widget.foregroundRole())
        rect = _visible_rect(widget, window)
        if isinstance(widget, QLabel) and widget.text().strip() and widget.pixmap().isNull():
            found.append(Text(widget, f"label {widget.text()[:40]!r}", fg, rect))
        elif isinstance(widget, QAbstractButton) and widget.text().strip():
            found.append(Text(widget, f"button {widget.text()!r}", fg, rect))
        elif isinstance(widget, QLineEdit):
            if widget.text():
                found.append(Text(widget, f"field {widget.text()[:30]!r}", palette.color(QPalette.ColorRole.Text), rect))
            elif widget.placeholderText():
                found.append(Text(widget, f"placeholder {widget.placeholderText()[:30]!r}",
                                  palette.color(QPalette.ColorRole.PlaceholderText), rect))
        elif isinstance(widget, QComboBox) and not widget.isEditable() and widget.currentText():
            found.append(Text(widget, f"combo {widget.currentText()!r}", palette.color(QPalette.ColorRole.ButtonText),
                              rect))
        elif isinstance(widget, QGroupBox) and widget.title():
            found.append(Text(widget, f"group {widget.title()!r}", palette.color(QPalette.ColorRole.WindowText),
                              _visible_rect(widget, window, QRect(0, 0, widget.width(), widget.fontMetrics().height()))))
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                color = widget.tabTextColor(i) if widget.tabTextColor(i).isValid() else \
                    palette.color(QPalette.ColorRole.WindowText)
                found.append(Text(widget, f"tab {widget.tabText(i)!r}", color,
                                  _visible_rect(widget, window, widget.tabRect(i))))
        elif isinstance(widget, QAbstractItemView):
            found += _item_texts(widget, window)
        elif isinstance(widget, QAbstractScrollArea) and hasattr(widget, "toPlainText"):
            viewport = widget.viewport()
            area = _visible_rect(viewport, window)
            if widget.toPlainText().strip():
                found.append(Text(widget, f"text {widget.toPlainText()[:30]!r}",
                                  viewport.palette().color(QPalette.ColorRole.Text), area))
            elif getattr(widget, "placeholderText", lambda: "")():
                found.append(Text(widget, f"placeholder {widget.placeholderText()[:30]!r}",
                                  viewport.palette().color(QPalette.ColorRole.PlaceholderText), area))
    return [t for t in found if not t.rect.isEmpty()]


def unreadable(window: QWidget, minimum: float = AA) -> list[str]:
    """Text in `window` below `minimum` contrast against its measured background, as it is drawn now."""
    QApplication.processEvents()
    # Views replaced by a restyle are deleted on the next turn of the event loop: gone before anyone looks.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    image = window.grab().toImage()
    scale = image.devicePixelRatio()
    problems = []
    for text in texts(window):
        rect = QRect(QPoint(int(text.rect.x() * scale), int(text.rect.y() * scale)),
                     text.rect.size() * scale)
        bg = measured_background(image, rect)
        if bg is not None and contrast(text.color, bg) < minimum:
            name = text.widget.objectName() or type(text.widget).__name__
            problems.append(f"{name} {text.what}: {text.color.name()} on {bg.name()} "
                            f"({contrast(text.color, bg):.2f}:1)")
    return problems


def fill_every_pane(qtbot, window, tmp_path) -> None:
    """Real content in each pane: a conversation with code, an open repository, code in the editor, an error."""
    from app.core.store import ConversationStore

    store = ConversationStore(window.ctx.paths.database)
    cid = store.create_conversation("reverse a string")
    store.add_message(cid, "user", "How do I reverse a string?")
    store.add_message(cid, "assistant", "Use a slice:\n\n```python\ndef rev(s):\n    return s[::-1]\n```\n\nThat is all.")
    store.close()
    window.chat.sidebar.refresh()
    window.chat.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.chat.entries) == 2, timeout=5000)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def f():\n    return 1\n")
    window.repo.open_folder(repo)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    window.infill.editor.setPlainText("def area(r):\n    return 3.14 * r * r\n")
    window.show_error("The disk is full.")


def every_view(qtbot, window):
    """Each pane of the main window, each page of the Settings window, the Models window and the dialogs."""
    for pane in (window.chat, window.repo, window.infill):
        window.tabs.setCurrentWidget(pane)
        yield type(pane).__name__, window
    settings = window.open_settings()
    settings.reload_label.setText("The model uses the context limit from when it was loaded.")
    settings.reload_bar.show()  # as after a load option changed while a model is loaded
    for page in settings.pages:
        settings.show_page(page.key)
        yield f"Settings/{page.title}", settings
    settings.close()
    models = window.open_models()
    qtbot.waitUntil(lambda: models.isVisible(), timeout=5000)
    yield "Models", models
    models.close()
    from app.ui.repo.rules_dialog import RulesDialog

    rules = RulesDialog(window.ctx.settings, window)  # the repository pane's dialog
    rules.show()
    yield "Repository rules", rules
    rules.close()
    rules.deleteLater()


@pytest.mark.parametrize("first,second", [(Theme.LIGHT, Theme.DARK), (Theme.DARK, Theme.LIGHT)])
def test_every_window_is_readable_in_both_themes_after_a_live_switch(qtbot, make_window, tmp_path, first, second) -> None:
    from app.gui_main import apply_style_sheet

    app = QApplication.instance()
    apply_style_sheet(app)  # as at launch: style sheet colours are part of what is checked
    try:
        window = make_window(load=False, theme=first)
        window.apply_theme()
        fill_every_pane(qtbot, window, tmp_path)
        for theme in (first, second):
            if theme is second:
                window.ctx.update_settings(theme=theme)  # a live switch, as the Settings window makes it
            dark = QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
            assert dark == (theme is Theme.DARK)
            problems = {}
            for name, shown in every_view(qtbot, window):
                qtbot.waitUntil(shown.isVisible, timeout=5000)
                checked = texts(shown)
                assert checked, name  # the walk sees text on every view
                found = unreadable(shown)
                if found:
                    problems[name] = found
            assert problems == {}, f"{theme}:\n" + "\n".join(f"{k}: {v}" for k, items in problems.items() for v in items)
    finally:
        app.setStyleSheet("")
        from app.ui.theme import apply_theme

        apply_theme(app, "auto")


def test_the_walk_finds_grey_on_grey(qtbot) -> None:
    from PySide6.QtWidgets import QVBoxLayout

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    faint = QLabel("faint")
    faint.setStyleSheet("color: #9a9a9a")
    banner = QWidget()
    banner.setStyleSheet("background: #777777")
    banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    inner = QLabel("on grey", banner)
    inner.setStyleSheet("color: #555555")
    inner.move(5, 5)
    layout.addWidget(faint)
    layout.addWidget(banner)
    layout.addWidget(QLabel("fine"))
    window.resize(300, 200)
    window.show()
    qtbot.waitExposed(window)
    found = unreadable(window)
    assert len(found) == 2 and any("'faint'" in f for f in found) and any("'on grey': #555555 on #7" in f for f in found)

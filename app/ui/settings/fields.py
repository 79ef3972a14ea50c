"""Controls bound to one setting each: bounds from the settings' own ranges, values back as a change.

Every control knows its setting's name, shows a value and gives one back; a page is a form of
them, so the window can collect "what differs from the current settings" without knowing the page.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import RANGES, Settings
from app.ui.plain_text import plain


class Field:
    """One setting's control: `name` is "theme" or "sampling.top_p"."""

    def __init__(self, name: str, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.name, self.widget, self._get, self._put = name, widget, get, put

    def value(self) -> Any:
        return self._get()

    def show(self, settings: Settings) -> None:
        self._put(read(settings, self.name))


def read(settings: Settings, name: str) -> Any:
    head, _, tail = name.partition(".")
    value = getattr(settings, head)
    return getattr(value, tail) if tail else value


def spin(name: str, tip: str, special: str = "", minimum: int | None = None) -> Field:
    """An integer within the setting's range; `special` names the lowest value ("automatic")."""
    low, high = RANGES[name.rpartition(".")[2]]
    box = QSpinBox()
    box.setRange(int(low if minimum is None else minimum), int(high))
    box.setGroupSeparatorShown(True)
    box.setToolTip(tip)
    if special:
        box.setSpecialValueText(special)
    return Field(name, box, box.value, box.setValue)


def real(name: str, step: float, tip: str) -> Field:
    low, high = RANGES[name.rpartition(".")[2]]
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(2)
    box.setToolTip(tip)
    return Field(name, box, box.value, box.setValue)


def choice(name: str, items: list[tuple[str, Any]], tip: str = "") -> Field:
    """A combo box of (label, value) pairs; a value not listed is added so it is never lost."""
    combo = QComboBox()
    combo.setToolTip(tip)
    for label, value in items:
        combo.addItem(label, value)

    def put(value: Any) -> None:
        index = combo.findData(value)
        if index < 0:
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    return Field(name, combo, combo.currentData, put)


def check(name: str, text: str) -> Field:
    box = QCheckBox(text)
    return Field(name, box, box.isChecked, box.setChecked)


def text(name: str, height: int = 110, placeholder: str = "") -> Field:
    edit = QPlainTextEdit()
    edit.setMaximumHeight(height)
    edit.setPlaceholderText(placeholder)
    return Field(name, edit, edit.toPlainText, edit.setPlainText)


def line(name: str, placeholder: str = "") -> Field:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    return Field(name, edit, lambda: edit.text().strip(), edit.setText)


def lines(name: str, placeholder: str) -> Field:
    """A list of strings, one per line (blank lines dropped)."""
    edit = QPlainTextEdit()
    edit.setMaximumHeight(90)
    edit.setPlaceholderText(placeholder)
    return Field(name, edit, lambda: tuple(line.strip() for line in edit.toPlainText().splitlines() if line.strip()),
                 lambda value: edit.setPlainText("\n".join(value)))


def note(text_: str) -> QLabel:
    """A quiet explanation under a control (word-wrapped, in the placeholder colour via the style sheet)."""
    label = plain(QLabel(text_))
    label.setWordWrap(True)
    label.setObjectName("settingsNote")
    return label


def form(page: QWidget, rows: list[tuple[str, Field | QWidget]]) -> QFormLayout:
    outer = QVBoxLayout(page)
    layout = QFormLayout()
    outer.addLayout(layout)
    outer.addStretch(1)  # rows stay together at the top, however tall the window
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for label, item in rows:
        widget = item.widget if isinstance(item, Field) else item
        if label:
            layout.addRow(label, widget)
        else:
            layout.addRow(widget)
    return layout

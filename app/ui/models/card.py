"""One model as a card: name, what it does, a quantization picker, size, fit, speed and state.

The card shows one quantization at a time (the picker's); the recommended one is marked in the
picker, and the card's marks (in use, recommended) come from the same catalogue rows the CLI lists.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QWidget,
)

from app.core.catalogue import Card
from app.ui.i18n import resolve
from app.ui.models.live import ModelRow, size_text
from app.ui.models.notes import note_text
from app.ui.plain_text import plain, tooltip

translate = QCoreApplication.translate  # the spelling lupdate finds


def _quant_label(row: ModelRow, card: Card) -> str:
    quant = row.entry.quantization or "?"
    size = size_text(row.size, row.item.size_exact)
    if card.pick is not None and card.pick.entry.id == row.entry.id and len(card.rows) > 1:
        return translate("ModelCard", "{quant} · {size} · recommended here").format(quant=quant, size=size)
    return f"{quant} · {size}"


class ModelCard(QFrame):
    """Selected by a click anywhere on it; `chosen` carries the quantization (manifest id) shown."""

    chosen = Signal(str)

    def __init__(self, card: Card, rows: dict[str, ModelRow], shown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.card = card
        self._rows = rows  # the window's live rows, by id (shared: downloads update them in place)
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)

        top = QHBoxLayout()
        self.title = plain(QLabel(card.title))
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)  # a long name wraps rather than running under the badges
        top.addWidget(self.title, 1)
        top.setSpacing(8)
        self.in_use_badge = plain(QLabel(self.tr("In use")))
        self.in_use_badge.setObjectName("inUseBadge")
        self.recommended_badge = plain(QLabel(self.tr("Recommended")))
        self.recommended_badge.setObjectName("recommendedBadge")
        self.recommended_badge.setToolTip(self.tr("The model recommended for this machine (see the line at the top)"))
        for badge in (self.in_use_badge, self.recommended_badge):
            badge.hide()
            top.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)  # a badge's height stays its own beside a wrapped name
        grid.addLayout(top, 0, 0, 1, 2)

        self.does = plain(QLabel(self.tr("{does} · {parameters} parameters").format(
            does=resolve(card.does), parameters=card.parameters)))
        self.does.setObjectName("cardDoes")
        grid.addWidget(self.does, 1, 0, 1, 2)
        self.quant = QComboBox()
        self.quant.setObjectName("quantPicker")
        self.quant.setToolTip(self.tr("Quantization: fewer bits are smaller and faster, more bits closer to the "
                                      "original"))
        for row in card.rows:
            self.quant.addItem(_quant_label(rows[row.entry.id], card), row.entry.id)
        # Its width follows the card, not its longest item: cards stay narrow enough for their column.
        self.quant.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.quant.setMinimumContentsLength(12)
        self.quant.currentIndexChanged.connect(self._quant_changed)
        self.quant.installEventFilter(self)  # reaching the picker by keyboard selects the card, as a click does
        grid.addWidget(self._key(self.tr("Quant")), 2, 0)
        grid.addWidget(self.quant, 2, 1)

        self.fit = self._line("Fit")
        grid.addWidget(self._key(self.tr("Fit")), 3, 0)
        grid.addWidget(self.fit, 3, 1)
        self.speed = self._line("Speed")
        grid.addWidget(self._key(self.tr("Speed")), 4, 0)
        grid.addWidget(self.speed, 4, 1)
        self.state = self._line("State")
        grid.addWidget(self._key(self.tr("State")), 5, 0)
        grid.addWidget(self.state, 5, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.progress.hide()
        grid.addWidget(self.progress, 6, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.set_shown(shown)

    @staticmethod
    def _key(text: str) -> QLabel:
        label = plain(QLabel(text))
        label.setObjectName("cardKey")
        return label

    @staticmethod
    def _line(name: str) -> QLabel:
        label = plain(QLabel())
        label.setObjectName(f"card{name}")
        label.setWordWrap(True)
        return label

    # What is shown ---------------------------------------------------------------------------
    @property
    def shown_id(self) -> str:
        return str(self.quant.currentData())

    @property
    def row(self) -> ModelRow:
        return self._rows[self.shown_id]

    def set_shown(self, model_id: str) -> None:
        index = self.quant.findData(model_id)
        if index >= 0 and index != self.quant.currentIndex():
            self.quant.setCurrentIndex(index)  # _quant_changed refreshes
        else:
            self.refresh()

    def _quant_changed(self, _index: int) -> None:
        self.refresh()
        self.chosen.emit(self.shown_id)

    def set_marks(self, in_use: str) -> None:
        """Badges: the loaded model's card, and the recommended model's."""
        self.in_use_badge.setVisible(self.card.row(in_use) is not None)
        if self.card.row(in_use) is not None:
            self.in_use_badge.setToolTip(self.tr("{name} is loaded").format(name=self._rows[in_use].entry.name))
        self.recommended_badge.setVisible(any(r.recommended for r in self.card.rows))

    def refresh(self) -> None:
        """The shown quantization's figures and live download state."""
        row = self.row
        self.fit.setText(row.fit_short)
        self.fit.setToolTip(tooltip(row.fit_detail))
        self.speed.setText(row.speed_text)
        self.state.setText(row.state_text())
        self.state.setToolTip(tooltip(row.state_text()))
        self.title.setToolTip(tooltip(note_text(row.entry.note) or row.entry.name))
        fraction = row.fraction
        self.progress.setVisible(fraction is not None)
        if fraction is not None:
            self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") != selected:
            self.setProperty("selected", selected)
            self.style().unpolish(self)  # a dynamic property in the style sheet needs a re-polish
            self.style().polish(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if watched is self.quant and event.type() == QEvent.Type.FocusIn:
            self.chosen.emit(self.shown_id)
        return super().eventFilter(watched, event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.chosen.emit(self.shown_id)
        super().mousePressEvent(event)

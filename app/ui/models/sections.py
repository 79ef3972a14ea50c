"""The cards under their family headings, two to a row, re-flowed when a filter hides some."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from app.core.catalogue import Card, CardFilter, by_family
from app.ui.i18n import resolve
from app.ui.models.card import ModelCard
from app.ui.models.live import ModelRow
from app.ui.plain_text import plain

CARD_WIDTH = 350  # the narrowest a card reads well at: as many columns as fit, at least one


class _Section(QWidget):
    def __init__(self, family: str, cards: list[ModelCard]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = plain(QLabel(resolve(family)))  # a family's name, or the core's "Imported"
        self.heading.setObjectName("familyHeading")
        layout.addWidget(self.heading)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(10)
        layout.addLayout(self.grid)
        self.cards = cards

    def flow(self, shown: list[ModelCard], columns: int) -> None:
        for card in self.cards:
            self.grid.removeWidget(card)
            card.setVisible(card in shown)
        for column in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for i, card in enumerate(shown):
            self.grid.addWidget(card, i // columns, i % columns)
        self.setVisible(bool(shown))


class FamilySections(QWidget):
    """The scroll area's content: one section per family; owns the card widgets."""

    def __init__(self) -> None:
        super().__init__()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 0, 4, 4)
        self._layout.addStretch(1)
        self._sections: list[_Section] = []
        self.cards: dict[str, ModelCard] = {}  # by card key
        self._wanted = CardFilter()
        self._columns = 1

    def set_cards(self, cards: tuple[Card, ...], rows: dict[str, ModelRow], in_use: str, selected: str) -> None:
        for section in self._sections:
            self._layout.removeWidget(section)
            section.deleteLater()
        self._sections, self.cards = [], {}
        for family, family_cards in by_family(cards):
            widgets = []
            for card in family_cards:
                shown = card.row(selected) or card.default_row(in_use)
                widget = ModelCard(card, rows, shown.entry.id)
                widget.set_marks(in_use)
                self.cards[card.key] = widget
                widgets.append(widget)
            section = _Section(family, widgets)
            self._layout.insertWidget(self._layout.count() - 1, section)
            self._sections.append(section)

    def apply(self, wanted: CardFilter) -> int:
        """Show the cards that match; returns how many do."""
        self._wanted, self._columns = wanted, self._fitting_columns()
        count = 0
        for section in self._sections:
            shown = [card for card in section.cards if wanted.matches(card.card)]
            section.flow(shown, self._columns)
            count += len(shown)
        return count

    def _fitting_columns(self) -> int:
        return max(1, self.width() // CARD_WIDTH)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fitting_columns() != self._columns:
            self.apply(self._wanted)

    def visible(self) -> list[ModelCard]:
        return [card for section in self._sections if not section.isHidden()
                for card in section.cards if not card.isHidden()]

    def card_of(self, model_id: str) -> ModelCard | None:
        return next((card for card in self.cards.values() if card.card.row(model_id) is not None), None)

"""The catalogue as people read it: one card per model (its quantizations inside), cards by family,
and the search and filters over them. Every front end groups and filters the same way through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.fit import TOO_BIG
from app.core.i18n import translate
from app.core.models import ModelState

if TYPE_CHECKING:
    from app.core.catalogue.rows import CatalogueRow

ON_MACHINE = (ModelState.INSTALLED, ModelState.IMPORTED, ModelState.EMBEDDED)
IMPORTED_FAMILY = translate("core", "Imported")  # the heading of models the user added


@dataclass(frozen=True)
class Card:
    """One model in its quantizations (rows in manifest order); `pick` is the one recommended here."""

    key: str
    title: str  # the name without the quantization: "Code Llama 7B Instruct"
    family: str  # the heading it is shown under: "Code Llama"
    parameters: str
    roles: tuple[str, ...]
    rows: tuple[CatalogueRow, ...]
    pick: CatalogueRow | None = None  # the quantization recommended for this machine; None when none fits

    @property
    def does(self) -> str:
        """What the model is for, in words."""
        chat, infill = "chat" in self.roles, "infill" in self.roles
        if chat and infill:
            return translate("core", "Chat and infill")
        return translate("core", "Chat") if chat else translate("core", "Infill") if infill else "?"

    @property
    def installed(self) -> bool:
        return any(r.state in ON_MACHINE for r in self.rows)

    @property
    def fits(self) -> bool:
        return any(r.fit is not None and r.fit.verdict != TOO_BIG for r in self.rows)

    @property
    def local(self) -> bool:
        """Already here without a download (the embedded model, an imported file)."""
        return all(r.state in (ModelState.EMBEDDED, ModelState.IMPORTED, ModelState.MISSING) for r in self.rows)

    def row(self, model_id: str) -> CatalogueRow | None:
        return next((r for r in self.rows if r.entry.id == model_id), None)

    def default_row(self, in_use: str = "") -> CatalogueRow:
        """The quantization a card shows first: the one in use, else one on disk, else the recommended one."""
        return (self.row(in_use) or next((r for r in self.rows if r.state in ON_MACHINE), None)
                or self.pick or self.rows[0])


def card_key(row: CatalogueRow) -> str:
    entry = row.entry
    if entry.local_path:  # an imported file is its own model, whatever its header calls itself
        return f"local:{entry.id}"
    # The title too: two entries of one family and size from different repositories are two models.
    return f"{entry.family}|{entry.parameters}|{card_title(row)}"


def card_title(row: CatalogueRow) -> str:
    entry = row.entry
    quant = entry.quantization
    words = [w for w in entry.name.split() if not quant or w.upper() != quant.upper()]
    return " ".join(words) or entry.name


def family_heading(row: CatalogueRow) -> str:
    entry = row.entry
    if entry.local_path:
        return IMPORTED_FAMILY
    return entry.family.split(" - ")[0].strip() or entry.family


def group_cards(rows: tuple[CatalogueRow, ...] | list[CatalogueRow]) -> tuple[Card, ...]:
    """Rows as cards, in the order their first row comes in the manifest (pick left to the caller)."""
    grouped: dict[str, list[CatalogueRow]] = {}
    for row in rows:
        grouped.setdefault(card_key(row), []).append(row)
    cards = []
    for key, same in grouped.items():
        first = same[0]
        roles = tuple(dict.fromkeys(role for r in same for role in r.entry.roles))
        cards.append(Card(key=key, title=card_title(first), family=family_heading(first),
                          parameters=first.entry.parameters, roles=roles, rows=tuple(same)))
    return tuple(cards)


def by_family(cards: tuple[Card, ...] | list[Card]) -> list[tuple[str, list[Card]]]:
    """Cards under their family headings: first the families with a model on this machine, then the
    family of the recommended model, then the rest, each group in the order the manifest has them."""
    families: dict[str, list[Card]] = {}
    for card in cards:
        families.setdefault(card.family, []).append(card)

    def rank(item: tuple[str, list[Card]]) -> int:
        same = item[1]
        if any(c.installed for c in same):
            return 0
        return 1 if any(r.recommended for c in same for r in c.rows) else 2

    return sorted(families.items(), key=rank)  # sorted() is stable: manifest order within each rank


@dataclass(frozen=True)
class CardFilter:
    """Search words (all must match) and filters (all that are on must hold)."""

    text: str = ""
    fits: bool = False
    installed: bool = False
    chat: bool = False
    infill: bool = False

    def matches(self, card: Card) -> bool:
        if self.fits and not card.fits:
            return False
        if self.installed and not card.installed:
            return False
        if self.chat and "chat" not in card.roles:
            return False
        if self.infill and "infill" not in card.roles:
            return False
        words = self.text.lower().split()
        if not words:
            return True
        haystack = " ".join([card.title, card.family, card.parameters, card.does,
                             *(f"{r.entry.id} {r.entry.name} {r.entry.quantization} {r.entry.family}" for r in card.rows)]
                            ).lower()
        return all(word in haystack for word in words)


def filter_cards(cards: tuple[Card, ...] | list[Card], wanted: CardFilter) -> list[Card]:
    return [card for card in cards if wanted.matches(card)]

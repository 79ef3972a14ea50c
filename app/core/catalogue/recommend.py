"""One recommendation per machine, weighing memory fit AND speed here.

A quantization is picked per card, and the model a first run is pointed to is one of those picks,
so the card's "recommended" quantization and the window's "Recommended next" can never disagree.
Speed decides as much as fit: a 7B model that fits in RAM but writes one token a second on a
2-core CPU is a worse choice there than a 1.5B model that keeps up with reading.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from app.core.catalogue.cards import Card, group_cards
from app.core.fit import FITS_GPU, FITS_RAM, parameter_count, quant_bits
from app.core.i18n import translate

if TYPE_CHECKING:
    from app.core.catalogue.rows import CatalogueRow

# A slow reading pace, about 160 words a minute, is some 3.5 tokens a second: slower than that,
# people wait on every line of the answer, and a smaller model (or quantization) is the better choice.
READING_SPEED_TPS = 3.5


def _tps(row: CatalogueRow) -> float:
    return row.speed.tokens_per_second if row.speed is not None else 0.0


def _fits(row: CatalogueRow) -> bool:
    return row.fit is not None and row.fit.verdict in (FITS_GPU, FITS_RAM)


def pick_quantization(rows: Sequence[CatalogueRow]) -> CatalogueRow | None:
    """The quantization of one model to use here: the most faithful one that fits and keeps reading
    speed (on the GPU first: one that fits there runs many times faster); when none keeps up, the
    fastest that fits; None when none fits."""
    fitting = [r for r in rows if _fits(r)]
    if not fitting:
        return None
    for where in (FITS_GPU, FITS_RAM):
        readable = [r for r in fitting if r.verdict == where and _tps(r) >= READING_SPEED_TPS]
        if readable:
            return max(readable, key=lambda r: (quant_bits(r.entry.quantization), -(r.size or 0)))
    return max(fitting, key=_tps)


@dataclass(frozen=True)
class Recommendation:
    row: CatalogueRow
    card: Card
    readable: bool  # whether it keeps reading speed here (else: the fastest there is)

    def reason(self) -> str:
        speed = self.row.speed.describe() if self.row.speed is not None else translate("core", "speed unknown")
        fit = self.row.fit.verdict if self.row.fit is not None else translate("core", "fit unknown")
        if self.readable:
            return translate("core", "the largest model that fits and keeps up with reading here: {fit}, {speed}").format(
                fit=fit, speed=speed)
        return translate("core", "no model keeps up with reading here, this is the fastest that fits: {fit}, {speed}"
                         ).format(fit=fit, speed=speed)


def _rank(card: Card, pick: CatalogueRow) -> tuple[float, int, float]:
    # More parameters is the better model; between equals, one that does both chat and infill, then
    # the more faithful quantization.
    return parameter_count(card.parameters), len(card.roles), quant_bits(pick.entry.quantization)


def choose(cards: Sequence[Card]) -> Recommendation | None:
    """The chat model a first run is pointed to: among the downloadable cards' picks, the largest
    model that keeps reading speed; when none does, the fastest."""
    candidates = [(card, card.pick) for card in cards
                  if "chat" in card.roles and not card.local and card.pick is not None]
    readable = [(c, p) for c, p in candidates if p is not None and _tps(p) >= READING_SPEED_TPS]
    if readable:
        card, pick = max(readable, key=lambda pair: _rank(pair[0], pair[1]))  # type: ignore[arg-type]
        return Recommendation(pick, card, True)  # type: ignore[arg-type]
    if candidates:
        card, pick = max(candidates, key=lambda pair: _tps(pair[1]))  # type: ignore[arg-type]
        return Recommendation(pick, card, False)  # type: ignore[arg-type]
    return None


def recommend(rows: Sequence[CatalogueRow]) -> tuple[tuple[CatalogueRow, ...], tuple[Card, ...], Recommendation | None]:
    """Rows with each card's pick (best_quant, among two or more) and the one recommendation marked,
    the cards built from those rows, and the recommendation."""
    picks = {}
    for card in group_cards(rows):
        pick = pick_quantization(card.rows)
        if pick is not None:
            picks[card.key] = (pick.entry.id, len(card.rows) > 1)
    chosen = choose([replace(card, pick=card.row(picks[card.key][0]) if card.key in picks else None)
                     for card in group_cards(rows)])
    chosen_id = chosen.row.entry.id if chosen else ""
    pick_ids = {pid for pid, several in picks.values() if several}
    marked = tuple(replace(r, best_quant=r.entry.id in pick_ids, recommended=r.entry.id == chosen_id) for r in rows)
    cards = tuple(replace(card, pick=card.row(picks[card.key][0]) if card.key in picks else None)
                  for card in group_cards(marked))
    final = None
    if chosen is not None:
        card = next(c for c in cards if c.key == chosen.card.key)
        row = card.row(chosen_id)
        final = Recommendation(row, card, chosen.readable) if row is not None else None
    return marked, cards, final

"""The model catalogue use case: list, group, recommend, check on the hub, import, remove (see service.ModelCatalogue)."""

from app.core.catalogue.cards import Card, CardFilter, by_family, filter_cards, group_cards
from app.core.catalogue.recommend import READING_SPEED_TPS, Recommendation, choose, pick_quantization, recommend
from app.core.catalogue.remote import RemoteCheck, check_remote, infill_family
from app.core.catalogue.rows import CatalogueRow, Listing, Machine, file_name, list_models
from app.core.catalogue.service import ModelCatalogue, Removal

__all__ = ["READING_SPEED_TPS", "Card", "CardFilter", "CatalogueRow", "Listing", "Machine", "ModelCatalogue",
           "Recommendation", "Removal", "RemoteCheck", "by_family", "check_remote", "choose", "file_name",
           "filter_cards", "group_cards", "infill_family", "list_models", "pick_quantization", "recommend"]

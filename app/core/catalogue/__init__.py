"""The model catalogue use case: list, check on the hub, import, remove (see service.ModelCatalogue)."""

from app.core.catalogue.remote import RemoteCheck, check_remote, infill_family
from app.core.catalogue.rows import RECOMMENDED_CHAT, CatalogueRow, Listing, Machine, list_models
from app.core.catalogue.service import ModelCatalogue, Removal

__all__ = ["RECOMMENDED_CHAT", "CatalogueRow", "Listing", "Machine", "ModelCatalogue", "Removal", "RemoteCheck",
           "check_remote", "infill_family", "list_models"]

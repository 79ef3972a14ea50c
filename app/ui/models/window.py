"""The Models window: models as cards by family, what runs well here, downloads, and which model is used.

Listing, the hub probe, checks, deletes and imports run on the model-task thread (DownloadService.
run_task); downloads on their own thread. What is listed, grouped, filtered and recommended is
decided in app.core.catalogue, the same as for `models list`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.context import AppContext
from app.core.catalogue import CardFilter, Listing, ModelCatalogue, RemoteCheck, Removal
from app.core.download import DownloadProgress, DownloadState
from app.core.download_probe import HubStatus
from app.core.engine import EngineInfo
from app.core.errors import UserError
from app.core.manifest import Manifest, ModelEntry
from app.core.models import ModelState
from app.ui.i18n import plural, resolve
from app.ui.models.card import ModelCard
from app.ui.models.layout import build_window_layout, update_buttons
from app.ui.models.live import ModelRow, RowState
from app.ui.models.notes import note_text
from app.ui.models.remote import add_remote_button
from app.ui.restyle import PaletteStyled
from app.workers.downloads import DownloadService
from app.workers.inference import InferenceService

# What the task thread's error callback carries: a UserError (or another exception); str() is the text.
ErrorLike = Exception | str

STYLE = """
#modelCard { border: 1px solid palette(mid); border-radius: 8px; background: palette(base); }
#modelCard[selected="true"] { border: 2px solid palette(highlight); }
#cardTitle { font-weight: bold; font-size: 14px; }
#cardKey { font-weight: bold; }
#inUseBadge, #recommendedBadge { border: 1px solid palette(link); color: palette(link); border-radius: 9px;
                                 padding: 1px 8px; font-weight: bold; }
#familyHeading { font-weight: bold; font-size: 15px; padding-top: 6px; }
#hubStatus { border: 1px solid palette(mid); border-radius: 6px; padding: 6px; font-weight: bold; }
#recommendation { font-weight: bold; }
"""


class ModelsWindow(PaletteStyled, QDialog):
    STYLE_SHEET = STYLE  # set again after a theme switch (PaletteStyled)
    chat_model_chosen = Signal(str)  # manifest id to load for chat

    def __init__(self, ctx: AppContext, downloads: DownloadService, catalogue: ModelCatalogue,
                 parent: QWidget | None = None, inference: InferenceService | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(1080, 720)
        self._ctx = ctx
        self._catalogue = catalogue  # built by the composition root (app.services)
        self._downloads = downloads
        self._inference = inference  # None: no in-use mark or Unload (a window built without the app)
        self.rows: dict[str, ModelRow] = {}  # live state per manifest id
        self.listing: Listing | None = None
        self.hub: HubStatus | None = None
        self._selected = ""  # manifest id of the selected card's shown quantization
        self._build()
        downloads.progress.connect(self._on_progress)
        downloads.finished.connect(self._on_finished)
        downloads.failed.connect(self._on_failed)
        if inference is not None:
            inference.loaded.connect(self._on_model_changed)
            inference.load_failed.connect(lambda _error: self._on_model_changed(None))  # whatever is loaded now
            inference.unloaded.connect(self._on_unloaded)
        self.setAcceptDrops(True)
        self.restyle()
        self.refresh()

    def _build(self) -> None:
        build_window_layout(self)
        self.remote_button = add_remote_button(self)  # a server's model instead of a local one (remote.py)

    # Data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """List the models, then probe the hub (each on the task thread; the GUI never waits)."""
        catalogue = self._catalogue

        def work() -> tuple[Manifest, Listing]:
            manifest = catalogue.load_manifest()
            return manifest, catalogue.listing(manifest)

        self._downloads.run_task(work, self._show_listing, self._show_error)
        self.check_hub(fresh=False)

    def check_hub(self, fresh: bool = True) -> None:
        # The options are made on the task thread: they read the hub token, which may wait on the keyring.
        catalogue, ctx = self._catalogue, self._ctx
        self._downloads.run_task(lambda: catalogue.hub_status(ctx.download_options(), fresh=fresh), self._show_hub,
                                 self._show_error)

    def _show_hub(self, status: HubStatus) -> None:
        self.hub = status
        self.hub_label.setText(resolve(status.message()))
        self.hub_bar.setVisible(not status.online)
        self._update_buttons()

    def _show_listing(self, result: tuple[Manifest, Listing]) -> None:
        manifest, listing = result
        # The Manifest is frozen and replaced whole, here on the GUI thread that reads it.
        self._ctx.manifest = manifest
        self.listing = listing
        old, self.rows = self.rows, {}
        for item in listing.rows:
            row = ModelRow(item)
            if self._downloads.is_active(item.entry.id):  # keep live download state across refreshes
                before = old.get(item.entry.id)
                row.state, row.progress = (before.state, before.progress) if before else (DownloadState.QUEUED, None)
            self.rows[item.entry.id] = row
        self.summary.setText(resolve(listing.machine.describe()))
        self.warning.setText(resolve(listing.warning or ""))
        self.warning.setVisible(bool(listing.warning))
        self._show_recommendation(listing)
        self.sections.set_cards(listing.cards, self.rows, self._in_use(), self._selected)
        for card in self.sections.cards.values():
            card.chosen.connect(self.select)
        self.apply_filter()
        if self._selected in self.rows:
            self.select(self._selected)  # the same quantization stays selected across a refresh
        else:
            self._selected = ""
            self._update_buttons()
        used = sum(r.on_disk for r in self.rows.values())
        self.disk_label.setText(self.tr("Models use {size} GB in {folder}").format(
            size=f"{used / 1e9:.2f}", folder=self._ctx.paths.models))

    def _show_recommendation(self, listing: Listing) -> None:
        chosen = listing.recommendation
        if chosen is None:
            text = self.tr("No model in the list fits this machine.")
        else:
            text = self.tr("Recommended for this machine: {name} — {reason}.").format(
                name=chosen.row.entry.name, reason=resolve(chosen.reason()))
        if not listing.anything_downloaded:
            text = self.tr("Nothing downloaded yet: chat runs on the built-in SmolLM2. {recommendation}").format(
                recommendation=text)
        self.recommendation.setText(text)
        self.show_recommended.setVisible(chosen is not None)

    def _show_error(self, error: ErrorLike, prefix: str = "") -> None:
        """`prefix` is a template with {error} ("Check failed: {error}"), already translated."""
        message = resolve(error.message) if isinstance(error, UserError) else str(error)
        self.details.setText(prefix.format(error=message) if prefix else message)

    def _in_use(self) -> str:
        info = self._inference.info if self._inference is not None else None
        return info.model_id if info is not None else ""

    # Search and filters ------------------------------------------------------------------------
    def card_filter(self) -> CardFilter:
        return CardFilter(text=self.search.text(), fits=self.fits_filter.isChecked(),
                          installed=self.installed_filter.isChecked(), chat=self.chat_filter.isChecked(),
                          infill=self.infill_filter.isChecked())

    def apply_filter(self) -> None:
        shown = self.sections.apply(self.card_filter())
        total = len(self.sections.cards)
        self.count_label.setText(plural(self.tr("{shown} of %n model(s)", "", total), total).format(shown=shown)
                                 if shown != total else plural(self.tr("%n model(s)", "", total), total))
        self.no_match.setVisible(total > 0 and shown == 0)

    def visible_titles(self) -> list[str]:
        return [card.card.title for card in self.sections.visible()]

    # Selection -------------------------------------------------------------------------------
    def row(self, model_id: str) -> ModelRow:
        return self.rows[model_id]

    def selected(self) -> ModelRow | None:
        return self.rows.get(self._selected)

    def card_of(self, model_id: str) -> ModelCard | None:
        return self.sections.card_of(model_id)

    def select(self, model_id: str) -> None:
        card = self.card_of(model_id)
        if card is None:
            return
        self._selected = model_id
        card.set_shown(model_id)
        for other in self.sections.cards.values():
            other.set_selected(other is card)
        if card.isVisible():
            self.scroll.ensureWidgetVisible(card, 0, 40)
        e = self.rows[model_id].entry
        roles = {"chat": self.tr("chat"), "infill": self.tr("infill")}
        self.details.setText(self.tr("{name} — {parameters} parameters, {quantization}, context {context}, {roles}, "
                                     "license {license}. {note}").format(
            name=e.name, parameters=e.parameters, quantization=e.quantization or "?", context=f"{e.context_length:,}",
            roles=self.tr(", ").join(roles.get(role, role) for role in e.roles), license=e.license or "?",
            note=note_text(e.note)))
        self._update_buttons()

    def select_recommended(self) -> None:
        chosen = self.listing.recommendation if self.listing else None
        if chosen is not None:
            for box in (self.fits_filter, self.installed_filter, self.chat_filter, self.infill_filter):
                box.setChecked(False)
            self.search.clear()
            self.select(chosen.row.entry.id)

    def _update_buttons(self) -> None:
        update_buttons(self)

    # Actions -------------------------------------------------------------------------------
    def download(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._downloads.enqueue(row.entry)
        self._set_live(row.entry.id, state=DownloadState.QUEUED, error="")

    def pause(self) -> None:
        row = self.selected()
        if row is not None:
            self._downloads.pause(row.entry.id)

    def cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        if self._downloads.is_active(row.entry.id):
            self._downloads.cancel(row.entry.id)
        else:  # a paused download: cancelling deletes its partial file
            self.delete()

    def delete(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry, catalogue = row.entry, self._catalogue

        def done(removal: Removal) -> None:
            if removal.forgotten:
                self.details.setText(self.tr("Forgot {name}; its file was left in place.").format(name=entry.name))
            else:
                self.details.setText(self.tr("Removed {name}; freed {size} GB.").format(
                    name=entry.name, size=f"{removal.freed / 1e9:.2f}"))
            self.refresh()

        self._downloads.run_task(lambda: catalogue.remove(entry), done, self._show_error)

    def check_remote(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry, catalogue = row.entry, self._catalogue
        self.details.setText(self.tr("Reading the header of {file} from the hub…").format(file=entry.files[0]))
        ctx = self._ctx  # the options are made on the task thread: the hub token may wait on the keyring
        self._downloads.run_task(lambda: catalogue.check_remote(entry, ctx.download_options()), self._show_check,
                                 lambda error: self._show_error(error, self.tr("Check failed: {error}")))

    def _show_check(self, check: RemoteCheck) -> None:
        fit = check.fit
        yes, no = self.tr("yes"), self.tr("no")
        infill = (self.tr("yes ({family})").format(family=check.infill_family.label)
                  if check.infill_family is not None else no)
        text = self.tr("{file}: {size} GB, architecture {architecture} — {support}; trained context {context}; chat "
                       "template {template}; infill tokens {infill}; sha256 {sha256}.").format(
            file=check.filename, size=f"{check.size / 1e9:.2f}", architecture=check.architecture,
            support=resolve(check.support_reason), context=check.context_length or "?",
            template=yes if check.chat_template else no, infill=infill,
            sha256=check.sha256 or self.tr("not published"))
        if fit:
            text = self.tr("{text} {verdict}: {detail}.").format(text=text, verdict=resolve(fit.verdict),
                                                                   detail=resolve(fit.detail))
        self.details.setText(text)

    def use_for_chat(self) -> None:
        row = self.selected()
        if row is not None:
            self.chat_model_chosen.emit(row.entry.id)
            self.details.setText(self.tr("Loading {name} for chat…").format(name=row.entry.name))

    def use_for_infill(self) -> None:
        row = self.selected()
        if row is not None:
            self._ctx.update_settings(default_infill_model=row.entry.id)  # validated, saved soon, announced
            self.details.setText(self.tr("{name} is now the default for infill.").format(name=row.entry.name))

    def unload(self) -> None:
        if self._inference is None or self._inference.info is None:
            return
        self.details.setText(self.tr("Unloading {name}…").format(name=self._inference.info.model_name))
        self._inference.unload()
        self._on_model_changed(None)

    def _on_unloaded(self) -> None:
        self.details.setText(self.tr("The model was unloaded and its memory freed. Choose a model and Use for chat "
                                     "to chat again."))
        self._on_model_changed(None)

    def _on_model_changed(self, _info: EngineInfo | None) -> None:
        in_use = self._in_use()
        for card in self.sections.cards.values():
            card.set_marks(in_use)
        self._update_buttons()

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF model"), str(Path.home()),
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        catalogue = self._catalogue

        def done(entry: ModelEntry) -> None:
            self.details.setText(self.tr("Imported {file} as {id}.").format(file=path.name, id=entry.id))
            self.refresh()

        self._downloads.run_task(lambda: catalogue.import_file(path), done,
                                 lambda error: self._show_error(error, self.tr("Import failed: {error}")))

    # Drag and drop of .gguf files -------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(u.toLocalFile().lower().endswith(".gguf") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            if url.toLocalFile().lower().endswith(".gguf"):
                self.import_file(Path(url.toLocalFile()))

    # Download signals -------------------------------------------------------------------------
    def _set_live(self, model_id: str, **changes) -> None:
        row = self.rows.get(model_id)
        if row is None:
            return
        for key, value in changes.items():
            setattr(row, key, value)
        card = self.card_of(model_id)
        if card is not None and card.shown_id == model_id:
            card.refresh()
        self._update_buttons()

    def _on_progress(self, event: DownloadProgress) -> None:
        state: RowState = ModelState.INSTALLED if event.state is DownloadState.DONE else event.state
        self._set_live(event.model_id, state=state, progress=event)

    def _on_finished(self, model_id: str, state: DownloadState) -> None:
        if state in (DownloadState.DONE, DownloadState.CANCELLED):
            self._update_buttons()
            self.refresh()
        else:
            self._set_live(model_id, state=DownloadState.PAUSED)

    def _on_failed(self, model_id: str, error: ErrorLike) -> None:
        message = resolve(error.message) if isinstance(error, UserError) else str(error)
        self._set_live(model_id, state=DownloadState.FAILED, error=message)
        self.details.setText(message)

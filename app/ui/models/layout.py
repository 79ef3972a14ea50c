"""The Models window's widgets and which of its buttons apply to the selection (kept apart from the
window's behaviour so each stays short)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
)

from app.core.download import DownloadState
from app.core.models import ModelState
from app.ui.i18n import resolve
from app.ui.models.sections import FamilySections
from app.ui.plain_text import plain

if TYPE_CHECKING:
    from app.ui.models.window import ModelsWindow

translate = QCoreApplication.translate  # the spelling lupdate finds


def check_tip() -> str:
    return translate("ModelsWindow", "Read the model file's header from the hub before downloading it")


def _wrapped(text: str = "") -> QLabel:
    label = plain(QLabel(text))
    label.setWordWrap(True)
    return label


def build_window_layout(w: ModelsWindow) -> None:
    layout = QVBoxLayout(w)
    w.summary = _wrapped(translate("ModelsWindow", "Checking this machine…"))
    layout.addWidget(w.summary)
    w.warning = _wrapped()
    w.warning.setObjectName("fitWarning")
    w.warning.hide()
    layout.addWidget(w.warning)

    w.hub_bar = QFrame()
    w.hub_bar.setObjectName("hubStatus")
    hub_row = QHBoxLayout(w.hub_bar)
    hub_row.setContentsMargins(0, 0, 0, 0)
    w.hub_label = _wrapped()
    hub_row.addWidget(w.hub_label, 1)
    w.hub_retry = QPushButton(translate("ModelsWindow", "Check again"))
    w.hub_retry.setToolTip(translate("ModelsWindow", "Try to reach the hub again"))
    w.hub_retry.clicked.connect(lambda: w.check_hub(fresh=True))
    hub_row.addWidget(w.hub_retry)
    w.hub_bar.hide()
    layout.addWidget(w.hub_bar)

    rec_row = QHBoxLayout()
    w.recommendation = _wrapped()
    w.recommendation.setObjectName("recommendation")
    rec_row.addWidget(w.recommendation, 1)
    w.show_recommended = QPushButton(translate("ModelsWindow", "Show it"))
    w.show_recommended.clicked.connect(w.select_recommended)
    w.show_recommended.hide()
    rec_row.addWidget(w.show_recommended, 0, Qt.AlignmentFlag.AlignTop)
    layout.addLayout(rec_row)

    filters = QHBoxLayout()
    w.search = QLineEdit()
    w.search.setPlaceholderText(translate("ModelsWindow", "Search models (name, size, quantization)…"))
    w.search.setClearButtonEnabled(True)
    w.search.textChanged.connect(w.apply_filter)
    filters.addWidget(w.search, 1)
    w.fits_filter = QCheckBox(translate("ModelsWindow", "Fits this machine"))
    w.installed_filter = QCheckBox(translate("ModelsWindow", "Downloaded"))
    w.chat_filter = QCheckBox(translate("ModelsWindow", "Chat"))
    w.infill_filter = QCheckBox(translate("ModelsWindow", "Infill"))
    for box in (w.fits_filter, w.installed_filter, w.chat_filter, w.infill_filter):
        box.toggled.connect(w.apply_filter)
        filters.addWidget(box)
    w.count_label = plain(QLabel())
    filters.addWidget(w.count_label)
    layout.addLayout(filters)

    w.sections = FamilySections()
    w.scroll = QScrollArea()
    w.scroll.setWidgetResizable(True)
    w.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    w.scroll.setWidget(w.sections)
    layout.addWidget(w.scroll, 1)
    w.no_match = plain(QLabel(translate("ModelsWindow", "No model matches the search and filters.")))
    w.no_match.hide()
    layout.addWidget(w.no_match)

    w.details = _wrapped()
    w.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(w.details)

    buttons = QHBoxLayout()
    w.download_button = QPushButton(translate("ModelsWindow", "Download"))
    w.pause_button = QPushButton(translate("ModelsWindow", "Pause"))
    w.cancel_button = QPushButton(translate("ModelsWindow", "Cancel"))
    w.delete_button = QPushButton(translate("ModelsWindow", "Delete"))
    w.check_button = QPushButton(translate("ModelsWindow", "Check file"))
    w.check_button.setToolTip(check_tip())
    w.chat_button = QPushButton(translate("ModelsWindow", "Use for chat"))
    w.infill_button = QPushButton(translate("ModelsWindow", "Use for infill"))
    w.unload_button = QPushButton(translate("ModelsWindow", "Unload"))
    w.unload_button.setToolTip(translate("ModelsWindow", "Free the loaded model's memory"))
    w.import_button = QPushButton(translate("ModelsWindow", "Import .gguf…"))
    for button, slot in ((w.download_button, w.download), (w.pause_button, w.pause), (w.cancel_button, w.cancel),
                         (w.delete_button, w.delete), (w.check_button, w.check_remote),
                         (w.chat_button, w.use_for_chat), (w.infill_button, w.use_for_infill),
                         (w.unload_button, w.unload), (w.import_button, w.import_dialog)):
        button.clicked.connect(slot)
        buttons.addWidget(button)
    layout.addLayout(buttons)

    footer = QHBoxLayout()
    w.disk_label = plain(QLabel())
    footer.addWidget(w.disk_label, 1)
    # The token is kept in the system keyring (or a private file): it is set in Settings, not here.
    footer.addWidget(QLabel(translate("ModelsWindow", "Hugging Face token for gated models: Settings (Ctrl+,) > Hub")))
    layout.addLayout(footer)


def update_buttons(w: ModelsWindow) -> None:
    """Which actions apply to the selected quantization (and whether a model is loaded to unload)."""
    row = w.selected()
    state = row.state if row else None
    active = row is not None and w._downloads.is_active(row.entry.id)
    resumable = state in (ModelState.PARTIAL, DownloadState.PAUSED)
    w.download_button.setEnabled(row is not None and not active and (resumable or state in (
        ModelState.AVAILABLE, DownloadState.FAILED, DownloadState.CANCELLED)))
    w.download_button.setText(translate("ModelsWindow", "Resume") if resumable
                              else translate("ModelsWindow", "Download"))
    w.pause_button.setEnabled(active)
    w.cancel_button.setEnabled(active or resumable)
    w.delete_button.setEnabled(not active and (resumable or state in (ModelState.INSTALLED, ModelState.IMPORTED)))
    w.check_button.setEnabled(row is not None and bool(row.entry.repo) and state is not ModelState.EMBEDDED)
    offline = w.hub is not None and not w.hub.online
    # Left enabled offline (the network may be back by the click; it fails at once if not), but warned.
    w.download_button.setToolTip(resolve(w.hub.message()) if offline and w.hub is not None else "")
    w.check_button.setToolTip(resolve(w.hub.message()) if offline and w.hub is not None else check_tip())
    usable = isinstance(state, ModelState) and state.usable
    w.chat_button.setEnabled(usable and row is not None and "chat" in row.entry.roles)
    w.infill_button.setEnabled(usable and row is not None and "infill" in row.entry.roles)
    inference = w._inference
    w.unload_button.setEnabled(inference is not None and inference.info is not None)

"""The Settings window's pages: appearance, model and hardware, chat, repository, infill, hub.

Each page is a form of `Field`s (app.ui.settings.fields); the window reads them all the same way.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.core import hardware
from app.core.manifest import Manifest
from app.core.repo.scan import DEFAULT_EXCLUDES
from app.core.settings import Theme
from app.ui.highlight import available_styles
from app.ui.plain_text import plain
from app.ui.settings.fields import Field, check, choice, form, line, lines, note, real, spin, text


class Page(QWidget):
    """A titled form; `fields` are what the window applies."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.fields: list[Field] = []

    def add(self, rows: list[tuple[str, Field | QWidget]]) -> None:
        self.fields += [item for _label, item in rows if isinstance(item, Field)]
        heading = plain(QLabel(self.title))
        heading.setObjectName("settingsHeading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        heading.setFont(font)
        form(self, [("", heading), *rows])


def appearance_page() -> Page:
    page = Page("Appearance")
    styles = [(name, name) for name in available_styles()]
    page.add([
        ("Theme", choice("theme", [("Follow the system", Theme.AUTO), ("Light", Theme.LIGHT), ("Dark", Theme.DARK)])),
        ("Code style (light)", choice("code_style_light", styles, "colours of code in the light theme")),
        ("Code style (dark)", choice("code_style_dark", styles, "colours of code in the dark theme")),
        ("", note("Applies at once, to every pane and window.")),
    ])
    return page


class ModelPage(Page):
    """How the model is loaded; `context_reason` says why the loaded context is what it is."""

    def __init__(self) -> None:
        super().__init__("Model and hardware")
        gen_threads, _batch = hardware.thread_plan()
        self.context_reason = plain(QLabel("No model is loaded."))
        self.context_reason.setObjectName("contextReason")
        self.context_reason.setWordWrap(True)
        self.add([
            ("Context limit", spin("context_limit", "upper bound on the context, in tokens, whatever the model "
                                   "was trained on")),
            ("", self.context_reason),
            ("GPU layers", spin("gpu_layers", "layers offloaded to the GPU; 0 runs on the CPU only",
                                special="All the build can offload")),
            ("Threads", spin("threads", "threads that generate tokens",
                             special=f"Automatic ({gen_threads} on this machine)")),
            ("Memory limit", spin("memory_limit_mb", "never plan to use more than this, in MB",
                                  special=f"What the machine has ({hardware.total_ram() / 2**30:.1f} GiB)")),
            ("", note("These apply when the model is loaded again; the window offers to reload it.")),
        ])
        for field in self.fields:
            if field.name == "memory_limit_mb":
                field.widget.setSuffix(" MB")  # type: ignore[attr-defined]


def chat_page() -> Page:
    page = Page("Chat")
    page.add([
        ("System prompt", text("system_prompt", placeholder="What the assistant is told before every conversation")),
        ("", note("The system prompt applies to the open conversation and to new ones.")),
        ("Temperature", real("sampling.temperature", 0.05, "0 = always the most likely token")),
        ("Top-p", real("sampling.top_p", 0.05, "nucleus sampling")),
        ("Top-k", spin("sampling.top_k", "0 = no limit", special="No limit")),
        ("Repeat penalty", real("sampling.repeat_penalty", 0.05, "1 = off")),
        ("Max tokens", spin("sampling.max_tokens", "longest answer in tokens", minimum=16)),
        ("Seed", spin("sampling.seed", "-1 = random each time", special="Random")),
    ])
    return page


def repository_page() -> Page:
    page = Page("Repository")
    max_kb = spin("repo_max_file_kb", "larger files are left out of the index")
    max_kb.widget.setSuffix(" KB")  # type: ignore[attr-defined]
    page.add([
        ("Largest file", max_kb),
        ("", check("repo_honour_gitignore", "Leave out what .gitignore leaves out")),
        ("Also leave out", lines("repo_excludes", "one gitignore-style pattern per line, e.g. vendor/")),
        ("Always include", lines("repo_includes", "patterns forced back in, e.g. !generated/api.py")),
        ("", note("Always left out unless included above: " + ", ".join(DEFAULT_EXCLUDES) + ". Binary, non-UTF-8 "
                  "and generated (minified) files are skipped and listed.")),
        ("", note("Applies the next time a folder is indexed: open it again in the Repository tab.")),
    ])
    return page


def infill_page(manifest: Manifest) -> Page:
    page = Page("Infill")
    models = [("The best installed", "")] + [(entry.name, entry.id) for entry in manifest.entries
                                            if entry.infill_format != "none"]
    window = spin("infill_context", "tokens of code around the cursor: a larger window is slower")
    window.widget.setSuffix(" tokens")  # type: ignore[attr-defined]
    page.add([
        ("Model", choice("default_infill_model", models, "the model the Infill tab loads")),
        ("Code around the cursor", window),
        ("", note("Applies to the next fill.")),
    ])
    return page


class HubPage(Page):
    """The hub's address, and the token for gated models (kept by the window's token store, not here)."""

    def __init__(self) -> None:
        super().__init__("Hub")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("hf_…  (empty: HF_TOKEN or `hf auth login`)")
        self.save_token = QPushButton("Save token")
        self.remove_token = QPushButton("Remove")
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.token, 1), (self.save_token, 0), (self.remove_token, 0)):
            row_layout.addWidget(widget, stretch)
        self.token_place = note("Looking for the system keyring…")
        self.token_place.setObjectName("tokenPlace")
        self.add([
            ("Mirror", line("hf_endpoint", "empty: HF_ENDPOINT, else huggingface.co")),
            ("Token", row),
            ("", self.token_place),
        ])

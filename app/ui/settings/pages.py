"""The Settings window's pages: appearance, model and hardware, chat, repository, infill, hub.

Each page is a form of `Field`s (app.ui.settings.fields); the window reads them all the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.core import hardware
from app.core.manifest import Manifest
from app.core.repo.scan import DEFAULT_EXCLUDES
from app.core.settings import Language, Theme
from app.ui.highlight import available_styles
from app.ui.plain_text import plain
from app.ui.settings.fields import Field, check, choice, form, line, lines, note, real, spin, text

translate = QCoreApplication.translate  # the spelling lupdate finds: translate("SettingsWindow", "...")

# Each language is named in itself, so whoever cannot read the current one still finds theirs.
LANGUAGE_NAMES = {Language.ENGLISH: "English", Language.CHINESE: "简体中文"}


class Page(QWidget):
    """A titled form; `fields` are what the window applies."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key = key  # the page's name in code (show_page), whatever the interface's language
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
    page = Page("Appearance", translate("SettingsWindow", "Appearance"))
    styles = [(name, name) for name in available_styles()]
    languages = [(translate("SettingsWindow", "System"), Language.SYSTEM)] + [
        (name, language) for language, name in LANGUAGE_NAMES.items()]
    page.add([
        (translate("SettingsWindow", "Theme"), choice("theme", [
            (translate("SettingsWindow", "Follow the system"), Theme.AUTO),
            (translate("SettingsWindow", "Light"), Theme.LIGHT), (translate("SettingsWindow", "Dark"), Theme.DARK)])),
        (translate("SettingsWindow", "Code style (light)"), choice(
            "code_style_light", styles, translate("SettingsWindow", "colours of code in the light theme"))),
        (translate("SettingsWindow", "Code style (dark)"), choice(
            "code_style_dark", styles, translate("SettingsWindow", "colours of code in the dark theme"))),
        ("", note(translate("SettingsWindow", "Applies at once, to every pane and window."))),
        (translate("SettingsWindow", "Language"), choice(
            "language", languages, translate("SettingsWindow", "the language of the interface; System follows the "
                                             "system's language"))),
        ("", note(translate("SettingsWindow", "The language changes when the app starts again."))),
    ])
    return page


class ModelPage(Page):
    """How the model is loaded; `context_reason` says why the loaded context is what it is."""

    def __init__(self) -> None:
        super().__init__("Model and hardware", translate("SettingsWindow", "Model and hardware"))
        gen_threads, _batch = hardware.thread_plan()
        self.context_reason = plain(QLabel(translate("SettingsWindow", "No model is loaded.")))
        self.context_reason.setObjectName("contextReason")
        self.context_reason.setWordWrap(True)
        self.add([
            (translate("SettingsWindow", "Context limit"), spin("context_limit", translate(
                "SettingsWindow", "upper bound on the context, in tokens, whatever the model was trained on"))),
            ("", self.context_reason),
            (translate("SettingsWindow", "GPU layers"), spin(
                "gpu_layers", translate("SettingsWindow", "layers offloaded to the GPU; 0 runs on the CPU only"),
                special=translate("SettingsWindow", "All the build can offload"))),
            (translate("SettingsWindow", "Threads"), spin(
                "threads", translate("SettingsWindow", "threads that generate tokens"),
                special=translate("SettingsWindow", "Automatic ({count} on this machine)").format(count=gen_threads))),
            (translate("SettingsWindow", "Memory limit"), spin(
                "memory_limit_mb", translate("SettingsWindow", "never plan to use more than this, in MB"),
                special=translate("SettingsWindow", "What the machine has ({size} GiB)").format(
                    size=f"{hardware.total_ram() / 2**30:.1f}"))),
            ("", note(translate("SettingsWindow", "These apply when the model is loaded again; the window offers to "
                                "reload it."))),
        ])
        for field in self.fields:
            if field.name == "memory_limit_mb":
                field.widget.setSuffix(" MB")  # type: ignore[attr-defined]


def chat_page() -> Page:
    page = Page("Chat", translate("SettingsWindow", "Chat"))
    page.add([
        (translate("SettingsWindow", "System prompt"), text("system_prompt", placeholder=translate(
            "SettingsWindow", "What the assistant is told before every conversation"))),
        ("", note(translate("SettingsWindow", "The system prompt applies to the open conversation and to new ones."))),
        (translate("SettingsWindow", "Temperature"), real(
            "sampling.temperature", 0.05, translate("SettingsWindow", "0 = always the most likely token"))),
        ("Top-p", real("sampling.top_p", 0.05, translate("SettingsWindow", "nucleus sampling"))),
        ("Top-k", spin("sampling.top_k", translate("SettingsWindow", "0 = no limit"),
                       special=translate("SettingsWindow", "No limit"))),
        (translate("SettingsWindow", "Repeat penalty"), real(
            "sampling.repeat_penalty", 0.05, translate("SettingsWindow", "1 = off"))),
        (translate("SettingsWindow", "Max tokens"), spin(
            "sampling.max_tokens", translate("SettingsWindow", "longest answer in tokens"), minimum=16)),
        (translate("SettingsWindow", "Seed"), spin("sampling.seed", translate("SettingsWindow", "-1 = random each time"),
                                                   special=translate("SettingsWindow", "Random"))),
    ])
    return page


def repository_page() -> Page:
    page = Page("Repository", translate("SettingsWindow", "Repository"))
    max_kb = spin("repo_max_file_kb", translate("SettingsWindow", "larger files are left out of the index"))
    max_kb.widget.setSuffix(" KB")  # type: ignore[attr-defined]
    page.add([
        (translate("SettingsWindow", "Largest file"), max_kb),
        ("", check("repo_honour_gitignore", translate("SettingsWindow", "Leave out what .gitignore leaves out"))),
        (translate("SettingsWindow", "Also leave out"), lines("repo_excludes", translate(
            "SettingsWindow", "one gitignore-style pattern per line, e.g. vendor/"))),
        (translate("SettingsWindow", "Always include"), lines("repo_includes", translate(
            "SettingsWindow", "patterns forced back in, e.g. !generated/api.py"))),
        ("", note(translate("SettingsWindow", "Always left out unless included above: {patterns}. Binary, non-UTF-8 "
                            "and generated (minified) files are skipped and listed.").format(
            patterns=", ".join(DEFAULT_EXCLUDES)))),
        ("", note(translate("SettingsWindow", "Applies the next time a folder is indexed: open it again in the "
                            "Repository tab."))),
    ])
    return page


def infill_page(manifest: Manifest) -> Page:
    page = Page("Infill", translate("SettingsWindow", "Infill"))
    models = [(translate("SettingsWindow", "The best installed"), "")] + [
        (entry.name, entry.id) for entry in manifest.entries if entry.infill_format != "none"]
    window = spin("infill_context", translate("SettingsWindow", "tokens of code around the cursor: a larger window "
                                              "is slower"))
    window.widget.setSuffix(translate("SettingsWindow", " tokens"))  # type: ignore[attr-defined]
    page.add([
        (translate("SettingsWindow", "Model"), choice(
            "default_infill_model", models, translate("SettingsWindow", "the model the Infill tab loads"))),
        (translate("SettingsWindow", "Code around the cursor"), window),
        ("", note(translate("SettingsWindow", "Applies to the next fill."))),
    ])
    return page


class HubPage(Page):
    """The hub's address, and the token for gated models (kept by the window's token store, not here)."""

    def __init__(self) -> None:
        super().__init__("Hub", translate("SettingsWindow", "Hub"))
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(translate("SettingsWindow", "hf_…  (empty: HF_TOKEN or `hf auth login`)"))
        self.save_token = QPushButton(translate("SettingsWindow", "Save token"))
        self.remove_token = QPushButton(translate("SettingsWindow", "Remove"))
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.token, 1), (self.save_token, 0), (self.remove_token, 0)):
            row_layout.addWidget(widget, stretch)
        self.token_place = note(translate("SettingsWindow", "Looking for the system keyring…"))
        self.token_place.setObjectName("tokenPlace")
        self.add([
            (translate("SettingsWindow", "Mirror"), line("hf_endpoint", translate(
                "SettingsWindow", "empty: HF_ENDPOINT, else huggingface.co"))),
            (translate("SettingsWindow", "Token"), row),
            ("", self.token_place),
        ])

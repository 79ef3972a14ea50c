"""The chat pane's quiet parts (figures, "< 2/2 >", Continue, "cut off") are readable in both themes.

The contrast walk of every window opens a conversation without versions or figures; this one opens
a conversation that has them, and checks it with the same measure (WCAG AA, text colour from the
palette and style sheet applied, background measured in the rendered window).
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from app.core.settings import Theme
from app.core.store import ROOT, ConversationStore, MessageState
from tests.ui.test_contrast_walk import texts, unreadable

FIGURES = "0.1 s to first token · 21.4 tokens/s · 40 tokens"


@pytest.mark.parametrize("first,second", [(Theme.LIGHT, Theme.DARK), (Theme.DARK, Theme.LIGHT)])
def test_versions_figures_and_a_cut_answer_are_readable(qtbot, make_window, first, second) -> None:
    from app.gui_main import apply_style_sheet
    from app.ui.theme import apply_theme

    app = QApplication.instance()
    apply_style_sheet(app)
    try:
        window = make_window(load=False, theme=first)
        window.apply_theme()
        store = ConversationStore(window.ctx.paths.database)
        cid = store.create_conversation("Palindromes")
        question = store.add_message(cid, "user", "Check a palindrome", parent_id=ROOT)
        store.add_message(cid, "assistant", "Use `s == s[::-1]`.", parent_id=question, figures=FIGURES)
        store.add_message(cid, "assistant", "```python\ndef is_palindrome(s):\n", MessageState.CUT,
                          parent_id=question, figures=FIGURES)
        store.close()
        window.chat.open_conversation(cid)
        qtbot.waitUntil(lambda: len(window.chat.entries) == 2, timeout=5000)
        answer = window.chat.message_views()[1]
        qtbot.waitUntil(answer.continue_button.isVisible, timeout=3000)
        assert answer.branch_label.text() == "2/2" and answer.figures.text() == FIGURES
        for theme in (first, second):
            if theme is second:
                window.ctx.update_settings(theme=theme)  # a live switch
            qtbot.waitUntil(lambda: window.chat.message_views()[1].figures.isVisible(), timeout=3000)
            view = window.chat.message_views()[1]  # rebuilt by the switch
            checked = {text.widget for text in texts(window)}
            assert {view.figures, view.branch_label, view.continue_button, view.who} <= checked
            assert unreadable(window) == [], theme
    finally:
        app.setStyleSheet("")
        apply_theme(app, "light")

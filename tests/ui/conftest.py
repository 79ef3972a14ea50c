from __future__ import annotations

import pytest

from app.context import build_context
from app.gui_main import build_window


@pytest.fixture
def make_window(qtbot, app_home):
    """Build the real main window on an isolated home; the model loads in the background."""
    made = []

    def make(load: bool = True, **settings):
        ctx = build_context()
        ctx.settings_owner.save = None  # the test's own settings are not written (the home may be read-only)
        ctx.update_settings(context_limit=settings.pop("context_limit", 2048),
                            sampling=settings.pop("sampling", {"temperature": 0.0, "seed": 7, "max_tokens": 96}),
                            **settings)
        window = build_window(ctx)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        if load:
            with qtbot.waitSignal(window.inference.loaded, timeout=30000):
                window.inference.load(ctx.settings.chat_model)
        return window

    yield make
    for window in made:
        window.chat.stop()
        window.shutdown()

"""Light and dark themes: the Fusion style with a palette, or the platform's own look for "auto"."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

# White on this blue is 5.2:1 (WCAG AA asks 4.5): Fusion's own #308cc6 and the lighter #3b82f6 give about
# 3.7:1, so selected rows were hard to read (tests/ui/test_contrast_walk.py measures it).
SELECTION = "#2563eb"

_DARK = {
    QPalette.ColorRole.Window: "#1f2328", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#16191d", QPalette.ColorRole.AlternateBase: "#2a2f36",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#2a2f36",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: SELECTION,
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2a2f36",
    QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8b949e",
    QPalette.ColorRole.Link: "#60a5fa", QPalette.ColorRole.Mid: "#3d444d",
}


def apply_theme(app: QApplication, theme: str) -> None:
    """Switch the whole application's look; safe to call while it runs (a live switch)."""
    if not hasattr(app, "_platform_palette"):
        app._platform_palette = QPalette(app.palette())  # type: ignore[attr-defined]
        app._platform_style = app.style().name()  # type: ignore[attr-defined]
    if theme == "dark":
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = QPalette()
        for role, color in _DARK.items():
            palette.setColor(role, QColor(color))
        # Greyed out in every role that draws text: a disabled label or check box (WindowText) kept
        # the bright enabled colour and looked as usable as the rest.
        for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
        app.setPalette(palette)
    elif theme == "light":
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = app.style().standardPalette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(SELECTION))
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        app.setPalette(palette)
    else:
        app.setStyle(QStyleFactory.create(app._platform_style))  # type: ignore[attr-defined]
        app.setPalette(app._platform_palette)  # type: ignore[attr-defined]
    # The style sheet's palette(...) colours are resolved when it is set: set it again, or widgets it
    # styles keep the old theme's text colours (dark labels on a dark window).
    app.setStyleSheet(app.styleSheet())

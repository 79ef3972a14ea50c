"""The local server's window: the GUI's switch for app.server (see window.py and control.py)."""

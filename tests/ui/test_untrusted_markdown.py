"""An answer's Markdown is untrusted: it loads nothing from the disk and opens no local link."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDesktopServices

from app.ui.chat.message_view import MessageView, ProseView


def _prose(view: MessageView) -> ProseView:
    labels = view.findChildren(ProseView)
    assert labels
    return labels[0]


def test_images_in_an_answer_are_never_loaded(qtbot, tmp_path: Path) -> None:
    picture = tmp_path / "secret.png"
    picture.write_bytes(b"not read")
    text = (f"**Done.** ![chart]({picture}) and <img src=\"{picture}\"> and ![zero](/dev/zero)\n\n"
            f"![ref][r]\n\n[r]: {picture}\n")
    view = MessageView("assistant", text, style="default")
    qtbot.addWidget(view)
    view.show()
    html = _prose(view).text()
    assert "<img" not in html  # the label has nothing to load
    assert "&lt;img" in html  # raw HTML is shown as text, not obeyed
    assert html.count("[image]") == 3 and "Done." in html


def test_only_web_links_are_opened(qtbot, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    view = MessageView("assistant", "[docs](https://example.org/x) and [run](file:///tmp/run.desktop)", style="default")
    qtbot.addWidget(view)
    prose = _prose(view)
    for link in ("file:///tmp/run.desktop", "https://example.org/x", "vscode://x", "mailto:a@b.c", "/etc/passwd"):
        prose.linkActivated.emit(link)
    assert opened == ["https://example.org/x", "mailto:a@b.c"]


def test_names_that_look_like_html_are_shown_as_text(qtbot, make_window, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    repo = tmp_path / "<img src=&#47;dev&#47;zero>"  # a folder name, as an archive may carry
    repo.mkdir()
    (repo / "a.py").write_text("def a():\n    return 1\n")
    window = make_window(load=False)
    window.repo.open_folder(repo)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    window.show_error(f"Cannot open {repo}: something")
    labels = [label for label in window.findChildren(QLabel) if "<img" in label.text()]
    assert labels  # the name is on screen...
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)  # ...as text

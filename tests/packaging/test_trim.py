"""The bundle's trimming rules, on their own (fast; test_bundle.py checks the built result)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import trim  # noqa: E402


def _load(name: str, path: Path):
    """packaging/build.py under a name of its own: `build` is also a PyPI package's name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load("codellama_packaging_build", ROOT / "packaging" / "build.py")

ZH = {"zh_CN"}


def test_widgets_plugins_stay_and_the_rest_of_qt_goes() -> None:
    keep = [
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/translations/qtbase_zh_CN.qm", "PySide6\\Qt\\plugins\\platforms\\qwindows.dll",
        "llama_cpp/lib/libllama.so", "libpython3.11.so.1.0",
    ]
    drop = [
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so", "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6", "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/translations/qtdeclarative_zh_CN.qm", "PySide6/Qt/translations/qt_help_zh_CN.qm",
    ]
    assert [d for d in keep if not trim.keeps(d, ZH)] == []
    assert [d for d in drop if trim.keeps(d, ZH)] == []


def test_app_locales_come_from_the_translation_sources(tmp_path: Path) -> None:
    for name in ("codellama_chat_en.ts", "codellama_chat_zh_CN.ts", "codellama_core_zh_CN.ts", "notes.txt"):
        (tmp_path / name).write_text("")
    assert trim.app_locales(tmp_path) == {"zh_CN"}


def test_libraries_nothing_kept_links_to_are_dropped() -> None:
    links = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6", "libc.so.6"],
        "/src/libQt6Gui.so.6": ["libglib-2.0.so.0", "libpng16.so.16"],
        "/src/libglib-2.0.so.0": ["libpcre2-8.so.0"],
        "/src/libpango-1.0.so.0": ["libcairo.so.2"],  # the dropped GTK theme's, linked by nothing kept
    }
    toc = [("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION")]
    toc += [(name, f"/src/{name}", "BINARY") for name in ("libQt6Gui.so.6", "libglib-2.0.so.0", "libpcre2-8.so.0",
                                                         "libpng16.so.16", "libpango-1.0.so.0", "libcairo.so.2",
                                                         "libpython3.11.so.1.0")]
    kept = {entry[0] for entry in trim.drop_orphans(toc, lambda path: links.get(path, []))}
    assert kept == {"PySide6/QtGui.abi3.so", "libQt6Gui.so.6", "libglib-2.0.so.0", "libpcre2-8.so.0",
                    "libpng16.so.16", "libpython3.11.so.1.0"}


def test_duplicate_libraries_become_links_to_the_soname(tmp_path: Path) -> None:
    (tmp_path / "libllama.so").write_bytes(b"llama" * 100)
    (tmp_path / "libllama.so.0").write_bytes(b"llama" * 100)
    (tmp_path / "libggml.so.0").write_bytes(b"ggml")
    assert build.link_duplicates(tmp_path) == 500
    assert (tmp_path / "libllama.so").is_symlink() and (tmp_path / "libllama.so").readlink() == Path("libllama.so.0")
    assert (tmp_path / "libllama.so").read_bytes() == b"llama" * 100
    assert not (tmp_path / "libggml.so.0").is_symlink()

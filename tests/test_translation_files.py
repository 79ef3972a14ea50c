"""The translation sources keep up with the code: lupdate over the sources finds nothing missing or unfinished.

`scripts/translations.py check` does the same from the command line. A string wrapped in tr() (or
marked with the core's translate()) and not yet in its area's .ts, or in it but not translated,
fails here, naming the file, the context and the string.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.translations import AREAS, FOLDER, LOCALES, problems, tool, ts_path

NAMED = re.compile(r"\{(\w*)[^{}]*\}")  # {name} or {n_ctx:,}: the name must survive translation


def test_every_string_of_the_code_is_in_a_translation_file_and_translated() -> None:
    found = problems()
    assert found == [], f"{len(found)} problem(s); run scripts/translations.py update, then translate:\n" + "\n".join(
        found)


def test_every_area_has_its_files() -> None:
    for area in AREAS:
        for locale in LOCALES:
            assert ts_path(area, locale).exists(), ts_path(area, locale)


@pytest.mark.parametrize("ts", sorted(FOLDER.glob("codellama_*_zh_CN.ts")), ids=lambda p: p.stem)
def test_each_chinese_file_compiles_with_nothing_unfinished(ts: Path, tmp_path: Path) -> None:
    result = subprocess.run([tool("pyside6-lrelease"), "-fail-on-unfinished", str(ts), "-qm",
                             str(tmp_path / f"{ts.stem}.qm")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / f"{ts.stem}.qm").stat().st_size > 0


def test_translations_keep_the_placeholders_of_their_source() -> None:
    """A translation that drops or renames {name} would fail at format() (and show English instead).

    An English singular may spell its count out ("the oldest message"); elsewhere %n stays.
    """
    wrong = []
    for ts in sorted(FOLDER.glob("codellama_*.ts")):
        english = ts.stem.endswith("_en")
        for message in ET.parse(ts).getroot().iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            if translation is None or translation.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
            for form in forms:
                if set(NAMED.findall(form)) != set(NAMED.findall(source)) or (
                        "%n" in source and "%n" not in form and not english):
                    wrong.append(f"{ts.name}: {source!r} -> {form!r}")
    assert wrong == [], "\n".join(wrong)


def test_the_check_finds_a_missing_and_an_unfinished_string(tmp_path: Path) -> None:
    source = tmp_path / "pane.py"
    source.write_text('from PySide6.QtWidgets import QWidget\n\n\nclass Pane(QWidget):\n'
                      '    def texts(self):\n        return self.tr("Open"), self.tr("Close")\n', encoding="utf-8")
    areas = {"probe": (str(source),)}
    folder = tmp_path / "translations"
    folder.mkdir()
    ts_path("probe", "zh_CN", folder).write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="zh_CN" sourcelanguage="en">\n'
        '<context><name>Pane</name><message><source>Open</source><translation type="unfinished"></translation>'
        '</message></context>\n</TS>\n', encoding="utf-8")
    ts_path("probe", "en", folder).write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="en" sourcelanguage="en">\n'
        '</TS>\n', encoding="utf-8")
    found = problems(folder, areas)
    assert sorted(found) == ["missing codellama_probe_zh_CN.ts: [Pane] 'Close'",
                             "unfinished codellama_probe_zh_CN.ts: [Pane] 'Open'"]

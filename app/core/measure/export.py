"""The results table as CSV and Markdown: measured rows, then the paper's published ones, each
row saying which it is (a published figure is never shown as measured here)."""

from __future__ import annotations

import csv
import io
import time
from typing import Iterable

from app.core.measure.published import SOURCE, PublishedRow
from app.core.measure.results import ResultRow
from app.core.measure.suites import Suite

SPEED_FIELDS = ("prompt_tps_512", "prompt_tps_4k", "gen_tps", "ttft_s", "peak_rss_mb")
CSV_FIELDS = ("kind", "model", "size", "suite", "settings", "score", "passed", "done", "total", "state",
              *SPEED_FIELDS, "finished", "source")


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 2**30:.2f} GiB" if size_bytes >= 2**30 else f"{size_bytes / 2**20:.0f} MiB" if size_bytes else ""


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp)) if stamp else ""


def _number(value, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def to_csv(rows: Iterable[ResultRow], published: Iterable[PublishedRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"kind": "measured", "model": row.model_label, "size": row.size_bytes, "suite": row.suite.value,
                         "settings": row.settings_key, "score": "" if row.score is None else f"{row.score:.4f}",
                         "passed": row.passed, "done": row.done, "total": row.total, "state": row.state.value,
                         **{k: _number(row.metrics.get(k), 3) for k in SPEED_FIELDS}, "finished": _when(row.finished_at),
                         "source": "measured on this machine"})
    for pub in published:
        for suite, score in (("humaneval", pub.humaneval), ("mbpp", pub.mbpp)):
            writer.writerow({"kind": "published", "model": f"{pub.model} {pub.size_b}B", "size": f"{pub.size_b}B",
                             "suite": suite, "score": f"{score:.4f}", "state": "published", "source": pub.source})
    return out.getvalue()


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], body: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
    return lines


def to_markdown(rows: Iterable[ResultRow], published: Iterable[PublishedRow]) -> str:
    rows = list(rows)
    scored = [r for r in rows if r.suite is not Suite.SPEED]
    timed = [r for r in rows if r.suite is Suite.SPEED]
    parts: list[str] = ["## Measured on this machine", ""]
    if scored:
        parts += _table(("Model", "Size", "Suite", "Settings", "pass@1", "Passed", "Done", "State"), [
            (r.model_label, _size(r.size_bytes), r.suite.value, r.settings_key,
             "" if r.score is None else f"{r.score:.1%}", r.passed, f"{r.done}/{r.total}", r.state.value) for r in scored])
    if timed:
        parts += ["", "### Speed", ""]
        parts += _table(("Model", "Size", "Prompt tok/s (512)", "Prompt tok/s (4k)", "Generation tok/s",
                         "First token (s)", "Peak RSS (MiB)", "State"), [
            (r.model_label, _size(r.size_bytes), *(_number(r.metrics.get(k), 2 if k == "ttft_s" else 1)
                                                   for k in SPEED_FIELDS), r.state.value) for r in timed])
    if not rows:
        parts.append("Nothing measured yet.")
    published = list(published)
    if published:
        parts += ["", f"## Published, not measured here ({SOURCE}; 16-bit weights)", ""]
        parts += _table(("Model", "Size", "HumanEval pass@1", "MBPP pass@1"), [
            (p.model, f"{p.size_b}B", f"{p.humaneval:.1%}", f"{p.mbpp:.1%}") for p in published])
    return "\n".join(parts) + "\n"

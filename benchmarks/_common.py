"""Helpers shared by the benchmark scripts (run them from the repository root with .venv/bin/python)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Benchmarks never touch the user's data.
os.environ.setdefault("CODELLAMA_DESKTOP_HOME", tempfile.mkdtemp(prefix="cld-bench-"))


def embedded_model() -> Path:
    from app.core.manifest import load_all
    from app.core.models import embedded_model_path

    entry = load_all(None).embedded
    path = embedded_model_path(entry) if entry else None
    if path is None:
        sys.exit("the embedded model is missing: run ./test.sh or scripts/setup.sh first")
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"

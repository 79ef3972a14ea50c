"""The results store on a real SQLite file, resume, the table and its CSV and Markdown export."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.core.measure.export import to_csv, to_markdown
from app.core.measure.published import PUBLISHED
from app.core.measure.results import ItemResult, ResultStore, RunKey, RunState
from app.core.measure.suites import Suite
from app.core.measure.verdict import Outcome

KEY = RunKey("model.gguf:1000:abcd", Suite.HUMANEVAL, "max_tokens=512;prompt=chat")


def _item(n: int, outcome: Outcome = Outcome.PASSED) -> ItemResult:
    return ItemResult(f"HumanEval/{n}", outcome, "" if outcome is Outcome.PASSED else "AssertionError", 0.5, 40,
                      f"answer {n}")


def test_an_interrupted_run_resumes_from_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "measure.sqlite3"
    store = ResultStore(path)
    run = store.open_run(KEY, "Model", 1000, {"prompt": "chat"}, total=4)
    assert run.done_ids == frozenset() and run.state is RunState.RUNNING
    store.record(run.run_id, _item(0))
    store.record(run.run_id, _item(1, Outcome.FAILED))
    store.interrupt(run.run_id)
    store.close()

    reopened = ResultStore(path)  # another process, later
    [waiting] = reopened.interrupted()
    assert waiting.key == KEY and waiting.done_ids == {"HumanEval/0", "HumanEval/1"} and waiting.total == 4
    resumed = reopened.open_run(KEY, "Model", 1000, {"prompt": "chat"}, total=4)
    assert resumed.run_id == run.run_id and resumed.done_ids == waiting.done_ids
    for n in (2, 3):
        reopened.record(resumed.run_id, _item(n))
    reopened.finish(resumed.run_id, {"passed": 3})
    assert reopened.interrupted() == []
    [row] = reopened.table()
    assert (row.score, row.passed, row.done, row.total, row.state) == (0.75, 3, 4, 4, RunState.FINISHED)
    assert [i.answer for i in reopened.items(run.run_id)] == [f"answer {n}" for n in range(4)]


def test_a_process_that_died_running_counts_as_interrupted(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    store.record(store.open_run(KEY, "Model", 1000, {}, total=3).run_id, _item(0))
    # No interrupt(): the process was killed. The run is still offered for a resume.
    assert [r.done_ids for r in ResultStore(tmp_path / "m.sqlite3").interrupted()] == [{"HumanEval/0"}]


def test_fresh_starts_over_and_a_longer_run_continues_a_finished_one(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    run = store.open_run(KEY, "Model", 1000, {}, total=2)
    store.record(run.run_id, _item(0))
    store.record(run.run_id, _item(1))
    store.finish(run.run_id)
    longer = store.open_run(KEY, "Model", 1000, {}, total=5)  # the full run after a --limit 2 run
    assert longer.done_ids == {"HumanEval/0", "HumanEval/1"}
    store.finish(longer.run_id)
    again = store.open_run(KEY, "Model", 1000, {}, total=2)  # the same finished run asked for again
    assert again.done_ids == frozenset()
    store.record(again.run_id, _item(0))
    fresh = store.open_run(KEY, "Model", 1000, {}, total=2, fresh=True)
    assert fresh.done_ids == frozenset()
    assert len(store.table()) == 1  # one row per model, suite and settings


def test_models_suites_and_settings_are_separate_rows(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    keys = [KEY, RunKey(KEY.model_key, Suite.INFILL_SINGLE, "fill=infill;max_tokens=512"),
            RunKey(KEY.model_key, Suite.INFILL_SINGLE, "fill=instruction fill;max_tokens=512"),
            RunKey("other.gguf:5:ef", Suite.HUMANEVAL, KEY.settings_key)]
    for key in keys:
        store.record(store.open_run(key, key.model_key, 5, {}, total=1).run_id, _item(0, Outcome.FAILED))
    speed = store.open_run(RunKey(KEY.model_key, Suite.SPEED, "s"), "Model", 1000, {}, total=3)
    store.finish(speed.run_id, {"gen_tps": 42.5, "prompt_tps_512": 300.0})
    rows = store.table()
    assert len(rows) == 5
    assert {(r.model_key, r.suite, r.settings_key) for r in rows} == {(k.model_key, k.suite, k.settings_key) for k in
                                                                       keys} | {(KEY.model_key, Suite.SPEED, "s")}
    [speed_row] = [r for r in rows if r.suite is Suite.SPEED]
    assert speed_row.score is None and speed_row.metrics["gen_tps"] == 42.5


def test_a_newer_schema_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    ResultStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=99")
    with pytest.raises(StoreError, match="newer version"):
        ResultStore(path)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="m.sqlite3"):
        ResultStore(path)


def _filled(tmp_path: Path) -> ResultStore:
    store = ResultStore(tmp_path / "m.sqlite3")
    run = store.open_run(KEY, "SmolLM2 | tiny", 98_000_000, {}, total=2)
    store.record(run.run_id, _item(0))
    store.record(run.run_id, _item(1, Outcome.FAILED))
    store.finish(run.run_id)
    speed = store.open_run(RunKey(KEY.model_key, Suite.SPEED, "s"), "SmolLM2 | tiny", 98_000_000, {}, total=3)
    store.finish(speed.run_id, {"prompt_tps_512": 210.25, "prompt_tps_4k": 90.5, "gen_tps": 40.0, "ttft_s": 2.5,
                                "peak_rss_mb": 470.0})
    return store


def test_csv_export_marks_measured_and_published_rows(tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(_filled(tmp_path).table(), PUBLISHED))))
    measured = [r for r in rows if r["kind"] == "measured"]
    published = [r for r in rows if r["kind"] == "published"]
    assert [(r["suite"], r["score"], r["done"]) for r in measured] == [("humaneval", "0.5000", "2"), ("speed", "", "0")]
    assert measured[1]["gen_tps"] == "40.000" and measured[1]["peak_rss_mb"] == "470.000"
    assert len(published) == 2 * len(PUBLISHED)
    seven = {r["suite"]: r["score"] for r in published if r["model"] == "Code Llama 7B"}
    assert seven == {"humaneval": "0.3350", "mbpp": "0.4140"}
    assert all("Code Llama paper" in r["source"] and r["state"] == "published" for r in published)


def test_markdown_export_keeps_the_published_table_apart(tmp_path: Path) -> None:
    text = to_markdown(_filled(tmp_path).table(), PUBLISHED)
    measured, published = text.split("## Published, not measured here")
    assert "| SmolLM2 \\| tiny | 93 MiB | humaneval | max_tokens=512;prompt=chat | 50.0% | 1 | 2/2 | finished |" in measured
    assert "| 210.2 | 90.5 | 40.0 | 2.50 | 470.0 |" in measured
    assert "33.5%" not in measured
    assert "| Code Llama | 34B | 48.8% | 55.0% |" in published
    assert to_markdown([], []).strip().endswith("Nothing measured yet.")

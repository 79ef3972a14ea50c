"""Speed on this machine: a real answer of the embedded model measured, kept in a JSON file, and
scaled by size to the other models of the catalogue."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app.core.catalogue import ModelCatalogue, file_name
from app.core.engine_types import GenerationStats
from app.core.manifest import load_all
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings
from app.core.speed import KEEP, Measurement, SpeedBook, SpeedKind, SpeedSample, estimate, guess, measure

GB = 1_000_000_000


def stats(generated: int = 50, total: float = 2.0, first: float = 0.5, prompt: int = 200, reused: int = 0):
    return GenerationStats(prompt_tokens=prompt, reused_tokens=reused, generated_tokens=generated,
                           first_token_seconds=first, total_seconds=total, stop_reason="end")


def test_an_answer_is_measured_only_when_long_enough() -> None:
    m = measure("/models/x/qwen.gguf", GB, False, stats())
    assert m is not None and m.file == "qwen.gguf" and m.generation_tps == pytest.approx(49 / 1.5)
    assert m.prompt_tps == pytest.approx(200 / 0.5)
    assert measure("/m/q.gguf", GB, False, stats(generated=3)) is None  # the first token's overhead, mostly
    # A prompt served from the cache says nothing of evaluation speed; the generation still counts.
    cached = measure("/m/q.gguf", GB, False, stats(prompt=200, reused=190))
    assert cached is not None and cached.prompt_tps is None


def test_the_book_keeps_the_last_answers_per_file(tmp_path: Path) -> None:
    book = SpeedBook(tmp_path / "data" / "speed.json")
    assert book.load() == {}
    for tps in (10.0, 11.0, 30.0, 12.0, 9.0, 13.0, 14.0):
        book.add(Measurement("a.gguf", GB, False, tps, None))
    sample = book.load()["a.gguf"]
    assert len(sample.generation) == KEEP and sample.generation == (30.0, 12.0, 9.0, 13.0, 14.0)
    assert sample.generation_tps == 30.0  # the fastest: answers slowed by other work do not decide
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["speed.json"]  # written whole, no temporary left
    book.add(Measurement("a.gguf", 2 * GB, False, 5.0, 40.0))  # another file under the same name
    again = book.load()["a.gguf"]
    assert again.generation == (5.0,) and again.prompt == (40.0,) and again.size == 2 * GB
    assert json.loads(book.path.read_text())["version"] == 1


def test_a_damaged_book_costs_only_the_figures(tmp_path: Path) -> None:
    path = tmp_path / "speed.json"
    for junk in ("{not json", '{"models": {"a.gguf": {"generation": [1]}}}', "[1, 2]"):
        path.write_text(junk)
        assert SpeedBook(path).load() == {}
    SpeedBook(path).add(Measurement("b.gguf", GB, False, 7.0, None))
    assert SpeedBook(path).load()["b.gguf"].generation_tps == 7.0


def test_estimates_scale_inversely_with_size() -> None:
    small = SpeedSample("small.gguf", GB, False, (40.0,))
    gpu = SpeedSample("gpu.gguf", 4 * GB, True, (100.0,))
    same = estimate([small, gpu], "small.gguf", GB, False)
    assert same is not None and same.kind is SpeedKind.MEASURED and same.tokens_per_second == 40.0
    big = estimate([small, gpu], "big.gguf", 4 * GB, False)
    assert big is not None and big.kind is SpeedKind.SCALED and big.tokens_per_second == pytest.approx(10.0)
    assert "scaled from small" in big.describe()
    on_gpu = estimate([small, gpu], "other.gguf", 2 * GB, True)  # GPU figures only for GPU runs
    assert on_gpu is not None and on_gpu.tokens_per_second == pytest.approx(200.0)
    assert estimate([gpu], "x.gguf", GB, False) is None  # nothing measured on the CPU
    nearest = SpeedSample("mid.gguf", 3 * GB, False, (12.0,))
    assert estimate([small, nearest], "big.gguf", 4 * GB, False).tokens_per_second == pytest.approx(9.0)


def test_a_guess_says_it_is_one() -> None:
    one, two = guess(GB, False, threads=1), guess(GB, False, threads=2)
    assert one.kind is SpeedKind.GUESSED and two.tokens_per_second == pytest.approx(2 * one.tokens_per_second)
    assert guess(GB, False, threads=64).tokens_per_second == guess(GB, False, threads=32).tokens_per_second  # memory's limit
    assert guess(GB, True).tokens_per_second > guess(GB, False, threads=8).tokens_per_second
    assert one.describe().startswith("not measured yet")


@pytest.mark.model
def test_a_real_answer_is_recorded_and_scaled_to_the_catalogue(smollm2_engine, tmp_path: Path) -> None:
    generation = smollm2_engine.chat([ChatMessage("user", "Count from one to twenty in words.")],
                                     SamplingSettings(max_tokens=40, temperature=0.0, seed=1), threading.Event(),
                                     ignore_eos=True)
    "".join(generation)
    path = Path(smollm2_engine.info.model_path)
    measured = measure(str(path), path.stat().st_size, False, generation.stats)
    assert measured is not None and measured.generation_tps > 0
    cat = ModelCatalogue(tmp_path / "models", tmp_path / "config" / "models_manifest.toml")
    cat.speeds.add(measured)
    manifest = load_all(None)
    listing = cat.listing(manifest)
    embedded = listing.row(manifest.embedded.id)
    assert embedded is not None and file_name(embedded.entry) == path.name
    assert embedded.speed is not None and embedded.speed.kind is SpeedKind.MEASURED
    assert embedded.speed.tokens_per_second == pytest.approx(measured.generation_tps, rel=0.01)
    seven = listing.row("codellama-7b-instruct-q4_k_m")
    assert seven is not None and seven.speed is not None and seven.speed.kind is SpeedKind.SCALED
    expected = measured.generation_tps * path.stat().st_size / seven.entry.size
    assert seven.speed.tokens_per_second == pytest.approx(expected, rel=0.02)
    assert "scaled from SmolLM2 135M" in seven.speed.describe()  # named as the catalogue names it

"""The model catalogue without Qt: rows over a real models folder, and the remote header check
against the local fake hub, for files with and without infill tokens."""

from __future__ import annotations

import socket
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from app.core.catalogue import (
    CardFilter,
    CatalogueRow,
    ModelCatalogue,
    RemoteCheck,
    by_family,
    choose,
    filter_cards,
    infill_family,
    pick_quantization,
    recommend,
)
from app.core.catalogue.header_vocab import HeaderVocabulary
from app.core.download import DownloadError, DownloadOptions, OfflineError, RemoteNotFoundError
from app.core.download_probe import HubReach, HubWatch, probe_hub
from app.core.errors import ModelFileError, UserError
from app.core.fit import FITS_GPU, FITS_RAM, TOO_BIG, FitReport, file_size_estimate
from app.core.gguf_info import read_gguf_info
from app.core.infill.formats import InfillFamily
from app.core.manifest import Manifest, ModelEntry, load_all
from app.core.models import ModelState
from app.core.speed import SpeedEstimate, SpeedKind, SpeedSample, estimate
from tests.fixtures.fake_hub import FakeHub
from tests.fixtures.tiny_gguf import write_tiny_bpe, write_tiny_llama

MB = 1_000_000


def entry(model_id: str, **extra) -> ModelEntry:
    base = dict(name=model_id.title(), family="Test", parameters="1B", files=(f"{model_id}.gguf",),
                roles=("chat",), repo="Test/Repo", size=MB)
    base.update(extra)
    return ModelEntry(id=model_id, **base)


def catalogue(tmp_path: Path) -> ModelCatalogue:
    return ModelCatalogue(tmp_path / "models", tmp_path / "models_manifest.toml")


# -- rows ---------------------------------------------------------------------------------------

def test_rows_give_each_entrys_state_and_disk_use(tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "done").mkdir(parents=True)
    (models / "done" / "done.gguf").write_bytes(b"x" * 1234)
    (models / "half").mkdir()
    (models / "half" / "half.gguf.part").write_bytes(b"x" * 100)
    imported = tmp_path / "mine.gguf"
    imported.write_bytes(b"x")
    manifest = Manifest(entries=(
        entry("done"), entry("half"), entry("fresh", size=None, quantization="Q4_K_M", parameters="7B"),
        entry("mine", local_path=str(imported)), entry("gone", local_path=str(tmp_path / "gone.gguf"))))
    listing = catalogue(tmp_path).listing(manifest)
    states = {r.entry.id: r.state for r in listing.rows}
    assert states == {"done": ModelState.INSTALLED, "half": ModelState.PARTIAL, "fresh": ModelState.AVAILABLE,
                      "mine": ModelState.IMPORTED, "gone": ModelState.MISSING}
    assert [r.entry.id for r in listing.rows] == ["done", "half", "fresh", "mine", "gone"]  # manifest order
    done, half, fresh = listing.row("done"), listing.row("half"), listing.row("fresh")
    assert done is not None and half is not None and fresh is not None
    assert (done.on_disk, half.on_disk, fresh.on_disk) == (1234, 100, 0)
    assert done.size == MB and done.size_exact
    assert fresh.size and not fresh.size_exact  # estimated from 7B x Q4_K_M
    assert done.fit is not None and done.verdict == done.fit.verdict
    assert listing.anything_downloaded
    assert "GiB RAM" in listing.machine.describe() and "backend" in listing.machine.describe()
    with pytest.raises(FrozenInstanceError):
        done.state = ModelState.AVAILABLE  # type: ignore[misc]


def test_only_the_embedded_model_is_not_a_download(tmp_path: Path) -> None:
    manifest = Manifest(entries=(entry("a"), entry("b")))
    listing = catalogue(tmp_path).listing(manifest)
    assert not listing.anything_downloaded
    assert listing.row("nope") is None


def test_best_quantization_is_marked_once_per_model_that_fits(tmp_path: Path) -> None:
    big = 10**15  # too big for any machine
    manifest = Manifest(entries=(
        entry("small-q4", name="Small Q4_K_M", quantization="Q4_K_M", size=MB),
        entry("small-q8", name="Small Q8_0", quantization="Q8_0", size=2 * MB),
        entry("small-q5", name="Small Q5_K_M", quantization="Q5_K_M", size=MB),
        entry("huge-q4", name="Huge Q4_K_M", parameters="900B", quantization="Q4_K_M", size=big),
        entry("huge-q8", name="Huge Q8_0", parameters="900B", quantization="Q8_0", size=big),
        entry("alone-q4", parameters="3B", quantization="Q4_K_M"),  # one quantization: nothing to choose
        entry("unquantized", parameters="1B")))
    listing = catalogue(tmp_path).listing(manifest)
    assert [r.entry.id for r in listing.rows if r.best_quant] == ["small-q8"]
    assert listing.row("huge-q8").verdict == "too big"  # type: ignore[union-attr]


def test_import_and_remove(tmp_path: Path, tiny_codellama: Path) -> None:
    cat = catalogue(tmp_path)
    imported = cat.import_file(tiny_codellama)
    assert imported.id == "local-tiny-codellama" and imported.local_path == str(tiny_codellama.resolve())
    again = cat.import_file(tiny_codellama)  # the id is chosen against the manifest on disk
    assert again.id == "local-tiny-codellama-2"
    listed = cat.load_manifest()
    assert listed.get(imported.id) is not None
    removal = cat.remove(imported)
    assert removal.forgotten and removal.freed == 0 and tiny_codellama.exists()
    assert cat.load_manifest().get(imported.id) is None
    downloaded = entry("done")
    (cat.models_dir / "done").mkdir(parents=True)
    (cat.models_dir / "done" / "done.gguf").write_bytes(b"x" * 500)
    removal = cat.remove(downloaded)
    assert not removal.forgotten and removal.freed == 500 and not (cat.models_dir / "done").exists()
    with pytest.raises(ModelFileError):
        junk = tmp_path / "junk.gguf"
        junk.write_bytes(b"junk")
        cat.import_file(junk)


# -- the remote header check --------------------------------------------------------------------

def _without_infill_pieces(src: Path, dst: Path) -> Path:
    """A Code Llama-shaped file whose infill pieces are renamed (same length, so the layout holds)."""
    data = src.read_bytes()
    for piece in ("<PRE>", "<SUF>", "<MID>"):
        assert data.count(piece.encode()) == 1
        data = data.replace(piece.encode(), piece.replace("<", "<X").replace(">", "").encode())
    dst.write_bytes(data)
    return dst


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("remote")
    codellama = write_tiny_llama(folder / "codellama.gguf", chat_template="{{ messages }}")
    return {"codellama": codellama, "plain": _without_infill_pieces(codellama, folder / "plain.gguf"),
            "declared": write_tiny_bpe(folder / "declared.gguf", "declared"),
            "qwen": write_tiny_bpe(folder / "qwen.gguf", "qwen")}


@pytest.fixture(scope="module")
def hub(files: dict[str, Path]):
    with FakeHub() as server:
        for name, path in files.items():
            server.add_file("Test/Repo", f"{name}.gguf", path)
        server.add_file("Test/Repo", "junk.gguf", b"not a model at all" * 1000)
        yield server


def check(hub: FakeHub, model_id: str, **extra) -> RemoteCheck:
    opts = DownloadOptions(endpoint=hub.url, token="", retries=1, backoff_s=0.01, backoff_max_s=0.02)
    return catalogue(Path("/nonexistent")).check_remote(entry(model_id, size=None, **extra), opts)


def test_remote_check_of_a_file_with_infill_tokens(hub: FakeHub, files: dict[str, Path]) -> None:
    result = check(hub, "codellama", infill_format="codellama")
    assert result.infill_tokens and result.infill_family is InfillFamily.CODELLAMA
    assert (result.filename, result.size) == ("codellama.gguf", files["codellama"].stat().st_size)
    assert result.architecture == "llama" and result.context_length == 16384 and result.chat_template
    assert result.supported is True and "can run llama" in result.support_reason
    assert result.sha256 and len(result.sha256) == 64
    assert result.fit is not None
    with pytest.raises(FrozenInstanceError):
        result.chat_template = False  # type: ignore[misc]


def test_remote_check_of_a_file_without_infill_tokens(hub: FakeHub) -> None:
    result = check(hub, "plain")
    assert not result.infill_tokens and result.infill_family is None
    assert result.architecture == "llama" and result.supported is True


def test_infill_tokens_are_found_as_loading_finds_them(hub: FakeHub) -> None:
    # Declared only through tokenizer.ggml.fim_*_token_id; a family's pieces by text, no keys needed.
    assert check(hub, "declared").infill_family is InfillFamily.GENERIC
    assert check(hub, "qwen").infill_family is InfillFamily.QWEN
    # The manifest's "none" (not trained to infill) does not hide what the file holds.
    assert check(hub, "codellama", infill_format="none").infill_family is InfillFamily.CODELLAMA
    assert not check(hub, "declared").chat_template


def test_header_vocabulary_gives_the_real_token_ids(files: dict[str, Path]) -> None:
    path = files["codellama"]
    data = path.read_bytes()
    vocab = HeaderVocabulary(read_gguf_info(path), data)
    assert (vocab.piece_id("▁<PRE>"), vocab.piece_id("▁<SUF>"), vocab.piece_id("▁<MID>")) == (32007, 32008, 32009)
    assert vocab.piece_id("<s>") == 1 and vocab.bos_id == 1 and vocab.piece_id("no such piece") is None
    assert vocab.fim_ids()["pre"] == -1  # this file declares no keys: the texts decide
    declared = HeaderVocabulary(read_gguf_info(files["declared"]), files["declared"].read_bytes())
    assert min(declared.fim_ids()[k] for k in ("pre", "suf", "mid")) >= 0
    # A header cut before its token list gives no answer rather than a wrong one.
    assert infill_family(read_gguf_info(path), data[:4096]) is None


def test_remote_check_errors_are_user_errors(hub: FakeHub) -> None:
    with pytest.raises(RemoteNotFoundError) as missing:
        check(hub, "absent")
    with pytest.raises(DownloadError, match="no hub repository"):
        check(hub, "norepo", repo="")
    with pytest.raises(ModelFileError) as junk:
        check(hub, "junk")
    for error in (missing.value, junk.value):
        assert isinstance(error, UserError) and str(error) == error.message


# -- cards, filters and the one recommendation ----------------------------------------------------

def _row(e: ModelEntry, verdict: str, tps: float | None, state: ModelState = ModelState.AVAILABLE) -> CatalogueRow:
    fit = FitReport(verdict, 1, 4096, "") if verdict else None
    speed = SpeedEstimate(tps, SpeedKind.SCALED, "x") if tps is not None else None
    return CatalogueRow(entry=e, state=state, on_disk=0, size=e.size or file_size_estimate(e), fit=fit, speed=speed)


def _slow_cpu_rows() -> list[CatalogueRow]:
    """The real manifest on a 2-core CPU: everything that is not too big fits in RAM, and speeds
    are scaled from the embedded model measured at 46 tokens/s (this project's test machine)."""
    manifest = load_all(None)
    smol = SpeedSample("smol.gguf", manifest.embedded.size, False, (46.0,))
    rows = []
    for e in manifest.entries:
        size = e.size or file_size_estimate(e) or 0
        speed = estimate([smol], e.files[0], size, False)
        verdict = TOO_BIG if size > 15e9 else FITS_RAM  # a 16 GiB machine, roughly
        rows.append(_row(e, verdict, speed.tokens_per_second if speed else None,
                         ModelState.EMBEDDED if e.embedded_package else ModelState.AVAILABLE))
    return rows


def test_cards_group_quantizations_under_families() -> None:
    rows, cards, _ = recommend(_slow_cpu_rows())
    families = [name for name, _ in by_family(cards)]
    # What is here first, then the recommended model's family, then the manifest's order.
    assert families == ["SmolLM2", "Qwen2.5-Coder", "Code Llama", "DeepSeek-Coder-V2-Lite", "StarCoder2"]
    seven = next(c for c in cards if c.title == "Code Llama 7B Instruct")
    assert [r.entry.quantization for r in seven.rows] == ["Q4_K_M", "Q5_K_M", "Q8_0"]
    assert seven.does == "Chat and infill" and seven.family == "Code Llama"
    base = next(c for c in cards if c.title == "Code Llama 7B (base, infill)")
    assert base.does == "Infill" and base.key != seven.key
    assert next(c for c in cards if c.title == "StarCoder2 3B (infill)").does == "Infill"
    assert sum(len(c.rows) for c in cards) == len(rows) == 31 and len(cards) == 16


def test_on_a_slow_cpu_a_small_model_is_recommended_and_its_card_agrees() -> None:
    rows, cards, chosen = recommend(_slow_cpu_rows())
    assert chosen is not None and chosen.readable
    assert chosen.row.entry.id == "qwen2.5-coder-1.5b-instruct-q4_k_m"  # not a 7B at ~1 token/s
    assert chosen.card.pick is not None and chosen.card.pick.entry.id == chosen.row.entry.id
    assert [r.entry.id for r in rows if r.recommended] == [chosen.row.entry.id]
    # The card's mark and the recommendation are one: every card's pick is its only marked row.
    for card in cards:
        marked = [r.entry.id for r in card.rows if r.best_quant]
        assert marked == ([card.pick.entry.id] if card.pick is not None and len(card.rows) > 1 else [])
    seven = next(c for c in cards if c.title == "Code Llama 7B Instruct")
    assert seven.pick is not None and seven.pick.entry.quantization == "Q4_K_M"  # none keeps up: the fastest
    assert "keeps up with reading" in chosen.reason()


def test_with_speed_to_spare_the_largest_model_and_the_best_quantization() -> None:
    fast = [_row(r.entry, r.verdict, 1000.0 if r.speed else None, r.state) for r in _slow_cpu_rows()]
    rows, cards, chosen = recommend(fast)
    assert chosen is not None and chosen.card.parameters == "16B"  # DeepSeek-Coder-V2-Lite: the largest that fits
    seven = next(c for c in cards if c.title == "Code Llama 7B Instruct")
    assert seven.pick is not None and seven.pick.entry.quantization == "Q8_0"
    assert next(c for c in cards if c.title == "Code Llama 34B Instruct").pick is None  # too big: no pick


def test_a_quantization_that_fits_the_gpu_beats_a_better_one_in_ram() -> None:
    manifest = load_all(None)
    q4, q8 = manifest.get("qwen2.5-coder-7b-instruct-q4_k_m"), manifest.get("qwen2.5-coder-7b-instruct-q8_0")
    assert pick_quantization([_row(q4, FITS_GPU, 40.0), _row(q8, FITS_RAM, 5.0)]).entry.id == q4.id
    assert pick_quantization([_row(q4, FITS_RAM, 5.0), _row(q8, FITS_RAM, 3.0)]).entry.id == q4.id
    assert pick_quantization([_row(q4, TOO_BIG, 5.0), _row(q8, TOO_BIG, 3.0)]) is None
    assert choose([]) is None


def test_search_and_filters() -> None:
    rows = _slow_cpu_rows()
    rows[1] = replace(rows[1], state=ModelState.INSTALLED)  # Code Llama 7B Instruct Q4_K_M downloaded
    _, cards, _ = recommend(rows)
    assert [name for name, _ in by_family(cards)][:3] == ["SmolLM2", "Code Llama", "Qwen2.5-Coder"]  # on disk first

    def titles(**wanted) -> list[str]:
        return [c.title for c in filter_cards(cards, CardFilter(**wanted))]

    assert len(titles()) == len(cards)
    assert titles(installed=True) == ["SmolLM2 135M Instruct (embedded)", "Code Llama 7B Instruct"]
    assert titles(text="qwen 1.5b") == ["Qwen2.5-Coder 1.5B Instruct"]
    assert titles(text="Q8_0 code llama 13b") == ["Code Llama 13B Instruct"]  # a quantization's name finds its card
    assert all("infill" in c.roles for c in filter_cards(cards, CardFilter(infill=True)))
    assert "StarCoder2 3B (infill)" not in titles(chat=True) and "DeepSeek-Coder-V2-Lite Instruct" not in titles(infill=True)
    assert "Code Llama 70B Instruct" not in titles(fits=True) and "Code Llama 70B Instruct" in titles()
    assert titles(text="starcoder", chat=True) == [] and titles(text="no such model") == []


def test_the_listing_carries_cards_and_the_recommendation(tmp_path: Path) -> None:
    listing = catalogue(tmp_path).listing(load_all(None))
    assert listing.recommendation is not None and listing.recommended is listing.recommendation.row
    assert listing.recommended.best_quant or len(listing.recommendation.card.rows) == 1
    assert {r.entry.id for c in listing.cards for r in c.rows} == {r.entry.id for r in listing.rows}
    assert all(r.speed is not None for r in listing.rows if r.size)  # measured, scaled, or an honest guess


# -- whether the hub can be reached -----------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on leaving: connecting is refused


def test_the_probe_tells_a_reachable_hub_from_an_unreachable_one(hub: FakeHub) -> None:
    assert probe_hub(hub.url).online
    refused = probe_hub(f"http://127.0.0.1:{_closed_port()}")
    assert refused.reach is HubReach.UNREACHABLE and "127.0.0.1" in refused.message()
    unresolved = probe_hub("http://hub.invalid")
    assert not unresolved.online and "does not resolve" in unresolved.reason
    assert "No network" in unresolved.message() and "models already here work" in unresolved.message()


def test_the_watch_reuses_a_recent_probe() -> None:
    watch = HubWatch(max_age_s=3600)
    with FakeHub() as own:
        url = own.url
        assert watch.status(url).online
    # The hub went away; the cached answer stands until asked afresh.
    assert watch.status(url).online
    assert not watch.status(url, fresh=True).online
    assert not catalogue(Path("/nonexistent")).hub_status(DownloadOptions(endpoint=url)).online


def test_offline_fails_at_once_instead_of_after_every_retry() -> None:
    # Backoff of an hour: had the check retried as before, it would not finish.
    opts = DownloadOptions(endpoint=f"http://127.0.0.1:{_closed_port()}", token="", retries=6, backoff_s=3600)
    with pytest.raises(OfflineError, match="No network") as offline:
        catalogue(Path("/nonexistent")).check_remote(entry("any", size=None), opts)
    assert isinstance(offline.value, UserError) and not offline.value.retryable


def test_the_cli_lists_the_same_recommendation(capsys: pytest.CaptureFixture[str]) -> None:
    from argparse import Namespace

    from app.cli_models import cmd_models_list
    from app.context import build_context

    ctx = build_context()
    assert cmd_models_list(ctx, Namespace()) == 0
    out, err = capsys.readouterr()
    chosen = ModelCatalogue(ctx.paths.models, ctx.paths.user_manifest).listing(ctx.manifest).recommendation
    assert chosen is not None and f"recommended here: {chosen.row.entry.id}: " in err
    line = next(line.split() for line in out.splitlines() if line.startswith(chosen.row.entry.id + " "))
    assert line[-1] == "yes" or len(chosen.card.rows) == 1  # the table's "best" mark agrees with it

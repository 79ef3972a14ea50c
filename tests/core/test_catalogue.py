"""The model catalogue without Qt: rows over a real models folder, and the remote header check
against the local fake hub, for files with and without infill tokens."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from app.core.catalogue import RECOMMENDED_CHAT, ModelCatalogue, RemoteCheck, infill_family
from app.core.catalogue.header_vocab import HeaderVocabulary
from app.core.download import DownloadError, DownloadOptions, RemoteNotFoundError
from app.core.errors import ModelFileError, UserError
from app.core.gguf_info import read_gguf_info
from app.core.infill.formats import InfillFamily
from app.core.manifest import Manifest, ModelEntry
from app.core.models import ModelState
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
        entry("small-q4", quantization="Q4_K_M", size=MB), entry("small-q8", quantization="Q8_0", size=2 * MB),
        entry("small-q5", quantization="Q5_K_M", size=MB),
        entry("huge-q4", parameters="900B", quantization="Q4_K_M", size=big),
        entry("huge-q8", parameters="900B", quantization="Q8_0", size=big),
        entry("alone-q4", parameters="3B", quantization="Q4_K_M"),  # one quantization: nothing to choose
        entry("unquantized", parameters="1B")))
    listing = catalogue(tmp_path).listing(manifest)
    assert [r.entry.id for r in listing.rows if r.best_quant] == ["small-q8"]
    assert listing.row("huge-q8").verdict == "too big"  # type: ignore[union-attr]


def test_the_recommended_row(tmp_path: Path) -> None:
    manifest = Manifest(entries=(entry("other"), entry(RECOMMENDED_CHAT, family="Code Llama - Instruct")))
    listing = catalogue(tmp_path).listing(manifest)
    assert listing.recommended is not None and listing.recommended.entry.id == RECOMMENDED_CHAT
    assert [r.entry.id for r in listing.rows if r.recommended] == [RECOMMENDED_CHAT]
    assert catalogue(tmp_path).listing(Manifest(entries=(entry("other"),))).recommended is None


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

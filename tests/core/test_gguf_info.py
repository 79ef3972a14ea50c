from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.errors import ModelFileError, ModelNotFoundError
from app.core.gguf_info import HeaderIncomplete, parse_header, read_gguf_info


def test_reads_embedded_model_header(smollm2_path: Path) -> None:
    info = read_gguf_info(smollm2_path)
    assert info.architecture == "llama"
    assert info.context_length == 8192
    assert info.has_chat_template
    assert info.vocab_size == 49152
    assert info.expected_size == smollm2_path.stat().st_size


def test_truncated_file_is_reported(smollm2_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    with open(smollm2_path, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(smollm2_path.stat().st_size // 2))
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf_info(cut)


def test_file_cut_inside_header(smollm2_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "head.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[:5000])
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf_info(cut)
    with pytest.raises(HeaderIncomplete):
        parse_header(smollm2_path.read_bytes()[:5000])


def test_not_a_gguf_file(tmp_path: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ModelFileError, match="not a GGUF"):
        read_gguf_info(bogus)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        read_gguf_info(empty)


def test_corrupt_lengths(smollm2_path: Path, tmp_path: Path) -> None:
    data = bytearray(smollm2_path.read_bytes()[:4096])
    data[24:32] = (2**63).to_bytes(8, "little")  # the first key's length
    with pytest.raises(ModelFileError, match="corrupt"):
        parse_header(bytes(data))


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        read_gguf_info(tmp_path / "nope.gguf")
    with pytest.raises(ModelFileError, match="folder"):
        read_gguf_info(tmp_path)


def test_generated_fixture_header(tiny_codellama: Path, tmp_path: Path) -> None:
    info = read_gguf_info(tiny_codellama)
    assert info.vocab_size == 32016 and info.context_length == 16384
    assert not info.has_chat_template
    copy = tmp_path / "x.gguf"
    shutil.copy(tiny_codellama, copy)
    with open(copy, "r+b") as fh:
        fh.truncate(copy.stat().st_size - 1)
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf_info(copy)


def _header(kv: bytes, kv_count: int) -> bytes:
    import struct

    return b"GGUF" + struct.pack("<IQQ", 3, 0, kv_count) + kv


def test_nested_arrays_are_refused() -> None:
    import struct

    key = struct.pack("<Q", 1) + b"k"
    nested = key + struct.pack("<I", 9)  # an array ...
    for _ in range(5000):
        nested += struct.pack("<IQ", 9, 1)  # ... of arrays of arrays ...
    with pytest.raises(ModelFileError, match="corrupt"):
        parse_header(_header(nested, 1))


def test_huge_value_counts_are_refused() -> None:
    import struct

    key = struct.pack("<Q", 1) + b"k"
    # 2^27 empty strings: a cheap file that would otherwise take minutes to walk.
    kv = key + struct.pack("<IIQ", 9, 8, 1 << 27) + struct.pack("<Q", 0) * 1000
    with pytest.raises((ModelFileError, HeaderIncomplete)):
        parse_header(_header(kv, 1))


def test_random_corruption_never_escapes(smollm2_path: Path) -> None:
    import random

    original = smollm2_path.read_bytes()[: 1 << 16]
    rng = random.Random(1)
    for _ in range(1500):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parse_header(bytes(data))
        except (ModelFileError, HeaderIncomplete):
            pass


def test_per_layer_head_counts_keep_estimates_working(tiny_codellama: Path) -> None:
    from app.core.hardware import kv_cache_bytes

    info = read_gguf_info(tiny_codellama)
    base = kv_cache_bytes(info, 1024)
    info.metadata["llama.attention.head_count_kv"] = [4] * 80
    assert kv_cache_bytes(info, 1024) == base
    info.metadata["llama.attention.head_count_kv"] = "junk"
    assert kv_cache_bytes(info, 1024) == base

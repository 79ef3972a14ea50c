from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gguf import GGUFValueType

from app.core.errors import ModelFileError, ModelNotFoundError
from app.core.gguf_info import HeaderIncomplete, parse_header, read_gguf_info
from tests.fixtures.tiny_gguf import with_metadata


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


# -- numeric metadata llama.cpp would trust into a crash (app/core/gguf_validate.py) --

U32, I32, F32, BOOL, STR, ARR, U64, F64 = (GGUFValueType.UINT32, GGUFValueType.INT32, GGUFValueType.FLOAT32,
                                          GGUFValueType.BOOL, GGUFValueType.STRING, GGUFValueType.ARRAY,
                                          GGUFValueType.UINT64, GGUFValueType.FLOAT64)
NAN, INF = float("nan"), float("inf")

# (key, new value, text the one-line error must contain)
BAD_METADATA = [
    ("llama.context_length", (U32, 4294967295), "llama.context_length = 4294967295"),
    ("llama.context_length", (U32, 0), "llama.context_length = 0"),
    ("llama.context_length", (U64, 16384), "stored as uint64"),
    ("llama.context_length", (STR, "16384"), "stored as string"),
    ("llama.context_length", (F32, 16384.0), "stored as float32"),
    ("llama.attention.layer_norm_rms_epsilon", (F32, NAN), "llama.attention.layer_norm_rms_epsilon = nan"),
    ("llama.attention.layer_norm_rms_epsilon", (F32, -1e-5), "= -1"),
    ("llama.attention.layer_norm_rms_epsilon", (F32, INF), "= inf"),
    ("llama.attention.layer_norm_rms_epsilon", (F64, 1e-5), "stored as float64"),
    ("llama.rope.freq_base", (F32, 0.0), "llama.rope.freq_base = 0.0"),
    ("llama.rope.freq_base", (F32, -INF), "= -inf"),
    ("llama.rope.freq_base", (F32, 3e38), "llama.rope.freq_base"),
    ("llama.rope.scaling.factor", (F32, NAN), "llama.rope.scaling.factor = nan"),
    ("llama.embedding_length", (U32, 0), "llama.embedding_length = 0"),
    ("llama.embedding_length", (U32, 1 << 30), "llama.embedding_length"),
    ("llama.block_count", (U32, 0), "llama.block_count = 0"),
    ("llama.block_count", (U32, 513), "llama.block_count = 513"),
    ("llama.block_count", (I32, -1), "stored as int32"),
    ("llama.feed_forward_length", (U32, 4294967295), "llama.feed_forward_length = 4294967295"),
    ("llama.feed_forward_length", (ARR, (I32, [64, -1])), "per layer"),
    ("llama.feed_forward_length", (ARR, (U32, [64, 64, 64])), "one value per layer (2)"),
    ("llama.feed_forward_length", (ARR, (F32, [64.0, 64.0])), "per-layer array of float32"),
    ("llama.attention.head_count", (U32, 64), "more heads than the 32 embedding dimensions"),
    ("llama.attention.head_count_kv", (U32, 3), "must divide attention.head_count"),
    ("llama.attention.head_count_kv", (ARR, (U32, [4, 8])), "must divide attention.head_count"),
    ("llama.expert_count", (U32, 5000), "llama.expert_count = 5000"),
    ("llama.expert_used_count", (U32, 2), "more than the 0 experts"),
    ("llama.vocab_size", (U32, 1 << 30), "llama.vocab_size"),
    ("llama.some_future_key", (F32, NAN), "llama.some_future_key = nan"),
    ("llama.some_future_count", (U32, 4294967295), "must be below 2147483648"),
    ("tokenizer.ggml.bos_token_id", (U32, 40000), "outside the vocabulary of 32016 tokens"),
    ("tokenizer.ggml.eos_token_id", (STR, "</s>"), "stored as string"),
    ("tokenizer.ggml.fim_pre_token_id", (U32, 4294967295), "tokenizer.ggml.fim_pre_token_id = 4294967295"),
    ("tokenizer.ggml.tokens", (ARR, (U32, [1, 2, 3])), "must be an array of strings"),
    ("tokenizer.ggml.scores", (ARR, (F32, [0.0] * 10)), "a value for each of the 32016 tokens"),
    ("tokenizer.ggml.scores", (ARR, (F32, [NAN] * 32016)), "contains NaN"),
    ("tokenizer.ggml.token_type", (ARR, (F32, [1.0] * 32016)), "must be an array of int32"),
    ("tokenizer.ggml.add_bos_token", (U32, 1), "stored as uint32"),
    ("general.alignment", (U32, 33), "power of two"),
    ("general.architecture", (U32, 7), "stored as uint32"),
]


@pytest.mark.parametrize("key,value,text", BAD_METADATA, ids=[f"{k}={v[1]!r:.20}" for k, v, _ in BAD_METADATA])
def test_bad_metadata_is_one_clear_line(tiny_codellama: Path, tmp_path: Path, key: str, value: tuple,
                                        text: str) -> None:
    bad = with_metadata(tiny_codellama, tmp_path / "bad.gguf", {key: value})
    with pytest.raises(ModelFileError) as caught:
        read_gguf_info(bad)
    message = caught.value.message
    assert text in message and "\n" not in message, message
    assert message.startswith("bad.gguf: bad GGUF metadata: ")
    with pytest.raises(ModelFileError, match="bad GGUF metadata"):
        parse_header(bad.read_bytes())  # the remote header check sees the same


def test_experts_follow_llama_cpp_asserts(tiny_codellama: Path, tmp_path: Path) -> None:
    def check(changes: dict, text: str) -> None:
        with pytest.raises(ModelFileError, match=text):
            read_gguf_info(with_metadata(tiny_codellama, tmp_path / "moe.gguf", changes))

    check({"llama.expert_count": (U32, 8)}, "must be at least 1 with 8 experts")
    check({"llama.expert_count": (U32, 8), "llama.expert_used_count": (U32, 9)}, "more than the 8 experts")
    check({"llama.expert_count": (U32, 8), "llama.expert_used_count": (U32, 2),
           "llama.expert_group_count": (U32, 3)}, "must divide the 8 experts")
    check({"llama.expert_group_count": (U32, 2)}, "expert groups without experts")
    ok = with_metadata(tiny_codellama, tmp_path / "ok.gguf", {"llama.expert_count": (U32, 8),
                                                             "llama.expert_used_count": (U32, 2)})
    assert read_gguf_info(ok).arch_value("expert_count") == 8


def test_real_and_fixture_models_pass(smollm2_path: Path, tiny_codellama: Path, tiny_codellama_70b: Path,
                                      tiny_bpe, tmp_path: Path) -> None:
    for path in (smollm2_path, tiny_codellama, tiny_codellama_70b, tiny_bpe("qwen"), tiny_bpe("declared")):
        read_gguf_info(path)
    # Values llama.cpp accepts: per-layer head counts, a padding id equal to the vocabulary size
    # (converted files carry it), a 0 rope scaling factor (none), -inf scores.
    fine = with_metadata(tiny_codellama, tmp_path / "fine.gguf", {
        "llama.attention.head_count_kv": (ARR, (I32, [4, 2])),
        "tokenizer.ggml.padding_token_id": (U32, 32016),
        "llama.rope.scaling.factor": (F32, 0.0),
        "tokenizer.ggml.scores": (ARR, (F32, [-INF] * 32016)),
    })
    info = read_gguf_info(fine)
    assert info.arch_value("attention.head_count_kv") == [4, 2]
    assert info.types["llama.attention.head_count_kv"] == (int(ARR), int(I32))


def test_pipes_sockets_and_devices_are_refused(tmp_path: Path) -> None:
    """A FIFO would block the open forever and /dev/zero would read as an endless file."""
    import os
    import socket

    fifo = tmp_path / "m.gguf"
    os.mkfifo(fifo)
    # A writer end held open here keeps a regression from hanging the suite: it fails instead.
    keep = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        with pytest.raises(ModelFileError, match=r"m\.gguf is not a regular file \(a pipe, socket or device\)"):
            read_gguf_info(fifo)
    finally:
        os.close(keep)
    with pytest.raises(ModelFileError, match="is not a regular file"):
        read_gguf_info(Path("/dev/zero"))
    sock_path = tmp_path / "s.gguf"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(ModelFileError, match="is not a regular file"):
            read_gguf_info(sock_path)


def test_link_to_a_model_is_still_read(tiny_codellama: Path, tmp_path: Path) -> None:
    link = tmp_path / "linked.gguf"
    link.symlink_to(tiny_codellama)
    assert read_gguf_info(link).tensor_count > 0

"""Mutated GGUF headers: a clear error or a working load, never a crash, an abort or a hang.

Starts from the tiny generated Code Llama file and mutates it the ways a broken converter, a bad
download or a hostile file would: any metadata value replaced by any type (NaN, inf, negative,
huge, wrong type), string and array lengths that run past their data, the file cut anywhere, bytes
of the header overwritten. Parsing is checked in this process (cheap, many examples); loading runs
in child processes, because what is being guarded against is llama.cpp killing or hanging its
process. Runs are derandomized and keep no example database, so every CI run tries the same files.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gguf import GGUFValueType as T
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.core.errors import ModelFileError
from app.core.gguf_info import HeaderIncomplete, parse_header
from tests.fixtures.tiny_gguf import layout, rewrite_metadata

ROOT = Path(__file__).resolve().parents[2]

_INT_RANGES = {T.UINT8: (0, 2**8 - 1), T.INT8: (-2**7, 2**7 - 1), T.UINT16: (0, 2**16 - 1),
               T.INT16: (-2**15, 2**15 - 1), T.UINT32: (0, 2**32 - 1), T.INT32: (-2**31, 2**31 - 1),
               T.UINT64: (0, 2**64 - 1), T.INT64: (-2**63, 2**63 - 1)}
_SCALARS = [*_INT_RANGES, T.FLOAT32, T.FLOAT64, T.BOOL]

# Hyperparameters llama.cpp reads that the tiny file does not carry: added by some mutations.
_ABSENT_KEYS = ["llama.expert_count", "llama.expert_used_count", "llama.expert_group_count",
                "llama.rope.scaling.factor", "llama.attention.key_length", "llama.attention.value_length",
                "llama.attention.layer_norm_epsilon", "llama.rope.scaling.original_context_length",
                "tokenizer.ggml.eot_token_id", "tokenizer.ggml.fim_pre_token_id", "general.alignment"]


def _scalar(vtype: T) -> st.SearchStrategy:
    if vtype in _INT_RANGES:
        lo, hi = _INT_RANGES[vtype]
        edges = sorted({lo, hi, 0, 1, min(hi, 2**31), max(lo, -1)})
        return st.one_of(st.sampled_from(edges), st.integers(max(lo, 0), min(hi, 1024)), st.integers(lo, hi))
    if vtype == T.BOOL:
        return st.booleans()
    width = 32 if vtype == T.FLOAT32 else 64
    edges = [float("nan"), float("inf"), float("-inf"), -0.0, -1.0, 1e-45 if width == 32 else 5e-324,
             3.4e38 if width == 32 else 1.7e308]
    return st.one_of(st.sampled_from(edges), st.floats(width=width))


@st.composite
def _typed_value(draw: st.DrawFn, like: T | None) -> tuple[T, object]:
    """Any GGUF value; two times in three of the type the key already has (to reach the range checks)."""
    kinds = [*_SCALARS, T.STRING, T.ARRAY]
    keep_type = like is not None and like != T.ARRAY and draw(st.integers(0, 2)) > 0
    vtype = like if keep_type else draw(st.sampled_from(kinds))
    if vtype == T.STRING:
        return vtype, draw(st.text(max_size=40))
    if vtype == T.ARRAY:
        etype = draw(st.sampled_from([*_SCALARS, T.STRING]))
        items = st.text(max_size=8) if etype == T.STRING else _scalar(etype)
        return vtype, (etype, draw(st.lists(items, max_size=5)))
    return vtype, draw(_scalar(vtype))


class Base:
    """The file mutations start from (a class so that hypothesis does not print megabytes of it)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lay = layout(data)

    def __repr__(self) -> str:
        return f"<tiny GGUF of {len(self.data):,} bytes>"


class Mutated:
    """A mutated file and what was done to it; hypothesis prints failing draws by the description."""

    def __init__(self, what: str, data: bytes) -> None:
        self.what, self.data = what, data

    def __repr__(self) -> str:
        return self.what

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's pretty printer
        printer.text(self.what)


@st.composite
def _mutation(draw: st.DrawFn, source: Base) -> tuple[str, bytes]:
    base, lay = source.data, source.lay
    kind = draw(st.sampled_from(["value", "value", "value", "length", "cut", "bytes"]))
    if kind == "value":
        kv = draw(st.sampled_from(lay.kvs)) if draw(st.integers(0, 4)) else None
        key = kv.key if kv else draw(st.sampled_from(_ABSENT_KEYS))
        vtype, value = draw(_typed_value(T(kv.vtype) if kv else T.UINT32))
        return f"{key} = {T(vtype).name} {value!r:.80}", rewrite_metadata(base, {key: (vtype, value)})
    data = bytearray(base)
    if kind == "length":
        # A key, string or array whose length field runs past its data, or stops short of it.
        kv = draw(st.sampled_from(lay.kvs))
        of_key = kv.vtype not in (T.STRING, T.ARRAY) or draw(st.integers(0, 3)) == 0
        at = kv.start if of_key else kv.value_start + (4 if kv.vtype == T.ARRAY else 0)
        old = struct.unpack_from("<Q", data, at)[0]
        new = draw(st.one_of(st.sampled_from([old + 1, max(0, old - 1), 0, 2**32, 2**63, 2**64 - 1]),
                             st.integers(0, 2**64 - 1)))
        struct.pack_into("<Q", data, at, new)
        return f"length of {kv.key}{' (the key)' if of_key else ''}: {old} -> {new}", bytes(data)
    if kind == "cut":
        end = draw(st.one_of(st.integers(0, lay.data_start), st.integers(0, len(base) - 1)))
        return f"file cut at byte {end}", bytes(data[:end])
    changes = draw(st.lists(st.tuples(st.integers(4, lay.data_start - 1), st.integers(0, 255)), min_size=1,
                            max_size=6))
    for at, byte in changes:
        data[at] = byte
    return f"header bytes {changes}", bytes(data)


@pytest.fixture(scope="module")
def base(tiny_codellama: Path) -> Base:
    return Base(tiny_codellama.read_bytes())


def mutation(source: Base) -> st.SearchStrategy[Mutated]:
    """A mutated copy of `source`, with a description of what was done."""
    return _mutation(source).map(lambda pair: Mutated(*pair))


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_parse_header_only_raises_model_file_errors(base: Base, data: st.DataObject) -> None:
    m = data.draw(mutation(base), label="mutation")
    try:
        parse_header(m.data)
    except HeaderIncomplete:
        pass  # read_gguf_info turns this into "the file is truncated"
    except ModelFileError as exc:
        assert "\n" not in exc.message, (m.what, exc.message)


# Loads each file the way the app does (read_gguf_info, then llama.cpp) and evaluates two tokens,
# since some bad values only bite when llama.cpp computes. One JSON line per file, written before
# and after each load, so that a crash names the file that caused it.
_CHILD = """
import json, sys
from pathlib import Path
from app.core import llama_log
llama_log.quiet_native_crashes()
from app.core.engine import LoadOptions, LocalEngine
from app.core.errors import UserError
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings
for name in sys.argv[1:]:
    print(json.dumps({"begin": name}), flush=True)
    try:
        engine = LocalEngine(Path(name), chat_format="codellama-instruct",
                             options=LoadOptions(context_limit=512, gpu_layers=0))
        try:
            engine.chat([ChatMessage("user", "hi")], SamplingSettings(max_tokens=2, seed=1)).text()
        finally:
            engine.close()
        result = {"ok": name}
    except UserError as exc:
        result = {"error": name, "type": type(exc).__name__, "message": exc.message}
    print(json.dumps(result), flush=True)
"""

FILES_PER_CHILD = 12


@settings(max_examples=10, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_load_is_a_clear_error_or_works(base: Base, data: st.DataObject,
                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    described: dict[str, str] = {}
    for i in range(FILES_PER_CHILD):
        m = data.draw(mutation(base), label=f"file {i}")
        path = folder / f"m{i}.gguf"
        path.write_bytes(m.data)
        described[str(path)] = m.what
    try:
        child = subprocess.run([sys.executable, "-c", _CHILD, *described], cwd=ROOT, capture_output=True,
                               text=True, timeout=60 * FILES_PER_CHILD)
        out, rc = child.stdout, child.returncode
    except subprocess.TimeoutExpired as exc:
        out, rc = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or ""), "timeout"
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    begun = [r["begin"] for r in records if "begin" in r]
    done = {r.get("ok") or r.get("error"): r for r in records if "begin" not in r}
    if rc != 0 or len(done) != len(described):
        culprit = next((name for name in begun if name not in done), "?")
        stderr = "" if rc == "timeout" else child.stderr[-2000:]
        pytest.fail(f"the load died ({rc}) on {described.get(culprit, culprit)}\n{stderr}")
    for name, record in done.items():
        if "error" in record:
            assert record["type"] in ("ModelFileError", "ModelTooLargeError"), (described[name], record)
            assert "\n" not in record["message"], (described[name], record)

"""Refuse GGUF metadata that llama.cpp would trust into a crash, before llama.cpp reads the file.

llama.cpp copies hyperparameters straight into C integers and floats and checks few of them: a
layer count of 0 or more experts than it supports trips a GGML_ASSERT that aborts the process
(the GUI with it), a NaN norm epsilon aborts inside the first evaluation, and a context length of
4294967295 breaks the app's memory planning. So every key llama.cpp reads as a hyperparameter is
checked here for the type llama.cpp insists on (it reads a uint32 key only if it is stored as
uint32) and for a range. The limits sit far above every released model and far below where
llama.cpp's 32-bit arithmetic or its allocations break, so a real model passes and a corrupt one
is refused with one line naming the key and its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import ModelFileError
from app.core.i18n import translate

if TYPE_CHECKING:
    from app.core.gguf_info import GGUFInfo

# GGUF value type codes (gguf.GGUFValueType)
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
TYPE_NAMES = {U8: "uint8", I8: "int8", U16: "uint16", I16: "int16", U32: "uint32", I32: "int32", F32: "float32",
              BOOL: "bool", STR: "string", ARR: "array", U64: "uint64", I64: "int64", F64: "float64"}
_INTEGERS = {U8, I8, U16, I16, U32, I32, U64, I64}

MAX_LAYERS = 512  # LLAMA_MAX_LAYERS: llama.cpp asserts 0 < block_count <= 512 and sizes per-layer arrays by it
MAX_EXPERTS = 1024  # LLAMA_MAX_EXPERTS: llama.cpp asserts expert_count <= 1024
# Token ids are int32 inside llama.cpp; 2**24 is 64 times the largest vocabulary released (262k).
MAX_VOCAB = 1 << 24
# Llama 4 Scout's 10M tokens is the longest trained context released; 2**27 leaves room for more
# while n_ctx * n_embd stays far from overflowing the sizes llama.cpp computes from it.
MAX_CONTEXT = 1 << 27
# Widths (embedding, feed-forward, LoRA ranks): the widest released are about 30k (2**15);
# 2**20 leaves room and keeps width * width products inside 64 bits.
MAX_WIDTH = 1 << 20
MAX_HEADS = 1 << 16  # real models have at most a few hundred attention heads
# Any other integer hyperparameter: llama.cpp converts many uint32 values to int, so anything at
# or above 2**31 (4294967295 is a -1 written as uint32) turns negative there.
MAX_PLAIN_INT = (1 << 31) - 1


@dataclass(frozen=True)
class _Spec:
    kind: str  # "uint": a uint32 scalar; "layers": a uint32 scalar or one int per layer; "float": a float32
    low: float
    high: float
    low_open: bool = False  # the low end itself is not allowed (a RoPE base of 0)


# Hyperparameters under "<architecture>.", with the ranges allowed and why.
_ARCH_KEYS: dict[str, _Spec] = {
    "context_length": _Spec("uint", 1, MAX_CONTEXT),
    "rope.scaling.original_context_length": _Spec("uint", 1, MAX_CONTEXT),
    "attention.sliding_window": _Spec("uint", 0, MAX_CONTEXT),
    "embedding_length": _Spec("uint", 1, MAX_WIDTH),
    "embedding_length_out": _Spec("uint", 0, MAX_WIDTH),
    "vocab_size": _Spec("uint", 1, MAX_VOCAB),
    "block_count": _Spec("uint", 1, MAX_LAYERS),
    "leading_dense_block_count": _Spec("uint", 0, MAX_LAYERS),
    "nextn_predict_layers": _Spec("uint", 0, MAX_LAYERS),
    "feed_forward_length": _Spec("layers", 0, MAX_WIDTH),  # 0: a layer without a feed-forward block
    "expert_feed_forward_length": _Spec("uint", 0, MAX_WIDTH),
    "expert_shared_feed_forward_length": _Spec("uint", 0, MAX_WIDTH),
    "attention.head_count": _Spec("layers", 0, MAX_HEADS),  # 0: a layer without attention (hybrids)
    "attention.head_count_kv": _Spec("layers", 0, MAX_HEADS),
    "attention.key_length": _Spec("uint", 1, MAX_HEADS),
    "attention.value_length": _Spec("uint", 1, MAX_HEADS),
    "attention.key_length_swa": _Spec("uint", 1, MAX_HEADS),
    "attention.value_length_swa": _Spec("uint", 1, MAX_HEADS),
    "attention.key_length_mla": _Spec("uint", 1, MAX_HEADS),
    "attention.value_length_mla": _Spec("uint", 1, MAX_HEADS),
    "attention.q_lora_rank": _Spec("uint", 0, MAX_WIDTH),
    "attention.kv_lora_rank": _Spec("uint", 0, MAX_WIDTH),
    "rope.dimension_count": _Spec("uint", 0, MAX_HEADS),
    "rope.dimension_count_swa": _Spec("uint", 0, MAX_HEADS),
    "expert_count": _Spec("uint", 0, MAX_EXPERTS),
    "expert_used_count": _Spec("layers", 0, MAX_EXPERTS),
    "expert_shared_count": _Spec("uint", 0, MAX_EXPERTS),
    "expert_group_count": _Spec("uint", 0, MAX_EXPERTS),
    "expert_group_used_count": _Spec("uint", 0, MAX_EXPERTS),
    "ssm.conv_kernel": _Spec("uint", 0, MAX_WIDTH),
    "ssm.inner_size": _Spec("uint", 0, MAX_WIDTH),
    "ssm.state_size": _Spec("uint", 0, MAX_WIDTH),
    "ssm.time_step_rank": _Spec("uint", 0, MAX_WIDTH),
    "ssm.group_count": _Spec("uint", 0, MAX_WIDTH),
    # RoPE bases: positions are divided by powers of the base, so 0 or less gives inf/NaN angles;
    # released models use 1e4 to 1e8.
    "rope.freq_base": _Spec("float", 0, 1e12, low_open=True),
    "rope.freq_base_swa": _Spec("float", 0, 1e12, low_open=True),
    # Context extension factors: 0 means none to llama.cpp, released models use up to about 64.
    "rope.scaling.factor": _Spec("float", 0, 1e4),
    "rope.scale_linear": _Spec("float", 0, 1e4),
    # Norm epsilons: ggml asserts eps >= 0 when it evaluates (NaN fails that too, aborting the
    # process); released models use 1e-12 to 1e-5, and 1 or more would swamp the activations.
    "attention.layer_norm_epsilon": _Spec("float", 0, 1),
    "attention.layer_norm_rms_epsilon": _Spec("float", 0, 1),
    "attention.group_norm_epsilon": _Spec("float", 0, 1),
}

# Special tokens the app relies on (chat stops, infill pieces): an id outside the vocabulary is a
# corrupt file. llama.cpp itself falls back to a default id, which would silently break stopping.
_TOKEN_IDS = ("bos", "eos", "eot", "eom", "unknown", "fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep",
              "fim_sep", "prefix", "suffix", "middle")
# Special tokens the app never uses: llama.cpp disables one that is out of range, and converted
# files do carry a padding id equal to the vocabulary size, so only the type is checked.
_LENIENT_TOKEN_IDS = ("seperator", "padding", "cls", "mask")
_TOKENIZER_BOOLS = ("add_bos_token", "add_eos_token", "add_sep_token", "add_space_prefix",
                    "remove_extra_whitespaces")


def _show(value: Any) -> str:
    """A value as the one-line message shows it: short, no line breaks."""
    from app.core.gguf_info import SkippedArray

    if isinstance(value, SkippedArray):
        return f"an array of {value.length:,} values"
    if isinstance(value, list):
        head = ", ".join(_show(v) for v in value[:4])
        return f"[{head}{', ...' if len(value) > 4 else ''}] ({len(value)} values)"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, float):
        # Seven digits: most values are float32, whose full float64 repr (-9.999999747378752e-06) misleads.
        text = f"{value:.7g}"
        return text + ".0" if text.lstrip("-").isdigit() else text
    return repr(value)


def _fail(key: str, value: Any, why: str) -> ModelFileError:
    return ModelFileError(translate(
        "core", "bad GGUF metadata: {key} = {value} ({why})").format(key=key, value=_show(value), why=why))


def _range_text(spec: _Spec) -> str:
    if spec.kind == "float":
        if spec.low_open:
            return translate("core", "must be a finite float32 above {low:g} and at most {high:g}").format(
                low=spec.low, high=spec.high)
        return translate("core", "must be a finite float32 from {low:g} to {high:g}").format(low=spec.low, high=spec.high)
    return translate("core", "must be a whole number from {low} to {high}").format(low=int(spec.low), high=int(spec.high))


def _in_range(value: float, spec: _Spec) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return (value > spec.low if spec.low_open else value >= spec.low) and value <= spec.high


class _Checker:
    def __init__(self, info: GGUFInfo) -> None:
        self.meta = info.metadata
        self.types = info.types
        arch = self.meta.get("general.architecture")
        self.arch = arch if isinstance(arch, str) else ""

    def type_of(self, key: str) -> tuple[int, int | None]:
        return self.types.get(key, (-1, None))

    def expect_type(self, key: str, vtype: int) -> None:
        got, _ = self.type_of(key)
        if got != vtype:
            raise _fail(key, self.meta[key], translate(
                "core", "stored as {stored}; llama.cpp reads a {wanted}"
            ).format(stored=TYPE_NAMES.get(got, '?'), wanted=TYPE_NAMES[vtype]))

    def arch_key(self, name: str) -> str:
        return f"{self.arch}.{name}"

    def get(self, key: str, default: Any = None) -> Any:
        return self.meta.get(key, default)

    def per_layer(self, name: str, n_layer: int | None) -> list[int] | None:
        """A checked "layers" value as one number per layer (a scalar repeated); None when absent."""
        key = self.arch_key(name)
        if key not in self.meta:
            return None
        value = self.meta[key]
        if isinstance(value, list):
            return [int(v) for v in value]
        return [int(value)] * (n_layer or 1)

    # -- the rules --

    def check_general(self) -> None:
        arch = self.meta.get("general.architecture")
        if arch is not None:
            self.expect_type("general.architecture", STR)
            if not arch or len(arch) > 64 or not arch.isprintable():
                raise _fail("general.architecture", arch, translate("core", "not an architecture name"))
        if "general.alignment" in self.meta:
            self.expect_type("general.alignment", U32)
            align = self.meta["general.alignment"]
            # gguf.cpp refuses an alignment that is not a power of two; the size check needs a real one.
            if align <= 0 or align & (align - 1):
                raise _fail("general.alignment", align, translate("core", "must be a power of two"))

    def check_arch(self) -> None:
        if not self.arch:
            return
        for name, spec in _ARCH_KEYS.items():
            key = self.arch_key(name)
            if key in self.meta:
                self.check_spec(key, spec)
        prefix = self.arch + "."
        for key, value in self.meta.items():
            if key.startswith(prefix) and key[len(prefix):] not in _ARCH_KEYS:
                self.check_plain(key, value)
        self.check_relations()

    def check_spec(self, key: str, spec: _Spec) -> None:
        value = self.meta[key]
        vtype, etype = self.type_of(key)
        if spec.kind == "float":
            self.expect_type(key, F32)
            if not _in_range(value, spec):
                raise _fail(key, value, _range_text(spec))
            return
        if spec.kind == "layers" and vtype == ARR:
            # One value per layer: llama.cpp reads int32/uint32 (or bool) elements into a uint32 array.
            if etype not in (U32, I32, BOOL) or not isinstance(value, list):
                raise _fail(key, value, translate(
                    "core", "a per-layer array of {stored}; llama.cpp reads uint32 or int32"
                ).format(stored=TYPE_NAMES.get(etype or -1, '?')))
            for v in value:
                if not _in_range(int(v), spec):
                    raise _fail(key, value, "per layer: " + _range_text(spec))
            return
        self.expect_type(key, U32)
        if not _in_range(value, spec):
            raise _fail(key, value, _range_text(spec))

    def check_plain(self, key: str, value: Any) -> None:
        """Any other hyperparameter of the architecture: finite floats, integers that fit an int."""
        from app.core.gguf_info import SkippedArray

        vtype, etype = self.type_of(key)
        if isinstance(value, SkippedArray):
            if value.has_nan or value.has_inf:
                raise _fail(key, value, translate("core", "contains NaN or infinite values"))
            return
        values = value if isinstance(value, list) else [value]
        elem = etype if vtype == ARR else vtype
        for v in values:
            if isinstance(v, float) and not math.isfinite(v):
                raise _fail(key, value, translate("core", "must be a finite number"))
            # 64-bit values hold sizes and hashes where large numbers are real.
            if elem in _INTEGERS and elem not in (U64, I64) and isinstance(v, int) and abs(v) > MAX_PLAIN_INT:
                raise _fail(key, value, translate("core", "must be below {limit}").format(limit=MAX_PLAIN_INT + 1))

    def check_relations(self) -> None:
        """Cross-key rules, each one a GGML_ASSERT (process abort) or a division in llama.cpp."""
        block_count = self.get(self.arch_key("block_count"))
        n_layer = block_count if isinstance(block_count, int) else None
        for name, spec in _ARCH_KEYS.items():
            key = self.arch_key(name)
            if spec.kind == "layers" and isinstance(self.get(key), list) and n_layer is not None:
                if len(self.meta[key]) != n_layer:
                    raise _fail(key, self.meta[key], translate(
                        "core", "must have one value per layer ({n_layer})").format(n_layer=n_layer))
        for name in ("leading_dense_block_count", "nextn_predict_layers"):
            value = self.get(self.arch_key(name))
            if n_layer is not None and value is not None and value > n_layer:
                raise _fail(self.arch_key(name), value, translate(
                    "core", "more than the {n_layer} layers of the model").format(n_layer=n_layer))
        heads = self.per_layer("attention.head_count", n_layer)
        heads_kv = self.per_layer("attention.head_count_kv", n_layer)
        n_embd = self.get(self.arch_key("embedding_length"))
        if heads and isinstance(n_embd, int) and max(heads) > n_embd:
            # Without a key_length llama.cpp sizes heads as n_embd / n_head: more heads than
            # dimensions gives heads of size 0.
            raise _fail(self.arch_key("attention.head_count"), self.meta[self.arch_key("attention.head_count")],
                        translate("core", "more heads than the {n_embd} embedding dimensions").format(n_embd=n_embd))
        if heads and heads_kv:
            for h, kv in zip(heads, heads_kv):
                if kv > h or (kv and h % kv):
                    key = self.arch_key("attention.head_count_kv")
                    raise _fail(key, self.meta[key], translate("core", "must divide attention.head_count"))
        self.check_experts(n_layer)

    def check_experts(self, n_layer: int | None) -> None:
        # These mirror llama.cpp's load_hparams asserts one for one.
        n_expert = self.get(self.arch_key("expert_count"), 0)
        used = self.per_layer("expert_used_count", n_layer) or [0]
        groups = self.get(self.arch_key("expert_group_count"), 0)
        group_used = self.get(self.arch_key("expert_group_used_count"), 0)
        used_key = self.arch_key("expert_used_count")
        if max(used) > n_expert:
            raise _fail(used_key, self.meta[used_key], translate(
                "core", "more than the {n_expert} experts of the model").format(n_expert=n_expert))
        if n_expert > 0:
            if max(used) == 0:
                raise _fail(used_key, self.meta.get(used_key, 0), translate(
                    "core", "must be at least 1 with {n_expert} experts").format(n_expert=n_expert))
            if groups >= n_expert:
                raise _fail(self.arch_key("expert_group_count"), groups, translate(
                    "core", "must be below the {n_expert} experts").format(n_expert=n_expert))
            if groups > 1 and n_expert % groups:
                raise _fail(self.arch_key("expert_group_count"), groups, translate(
                    "core", "must divide the {n_expert} experts").format(n_expert=n_expert))
            if groups > 1 and not 0 < group_used < groups:
                raise _fail(self.arch_key("expert_group_used_count"), group_used,
                            translate(
                                "core", "must be from 1 to {most} with {groups} expert groups"
                            ).format(most=groups - 1, groups=groups))
        elif groups:
            raise _fail(self.arch_key("expert_group_count"), groups, translate("core", "expert groups without experts"))

    def check_tokenizer(self) -> None:
        from app.core.gguf_info import SkippedArray

        p = "tokenizer.ggml."
        if p + "model" in self.meta:
            self.expect_type(p + "model", STR)
        n_vocab: int | None = None
        if p + "tokens" in self.meta:
            tokens = self.meta[p + "tokens"]
            vtype, etype = self.type_of(p + "tokens")
            if vtype != ARR or etype != STR:
                raise _fail(p + "tokens", tokens, translate("core", "must be an array of strings"))
            n_vocab = tokens.length if isinstance(tokens, SkippedArray) else len(tokens)
            if not 1 <= n_vocab <= MAX_VOCAB:
                raise _fail(p + "tokens", tokens, translate(
                    "core", "must hold 1 to {most} tokens").format(most=MAX_VOCAB))
            for name, etypes in (("scores", (F32, I32)), ("token_type", (I32,))):
                self.check_token_array(p + name, etypes, n_vocab)
        elif isinstance(self.get(self.arch_key("vocab_size")), int):
            n_vocab = self.meta[self.arch_key("vocab_size")]  # a file without a vocabulary ("no_vocab")
        if p + "merges" in self.meta and self.type_of(p + "merges") != (ARR, STR):
            raise _fail(p + "merges", self.meta[p + "merges"], translate("core", "must be an array of strings"))
        for name in _TOKEN_IDS + _LENIENT_TOKEN_IDS:
            key = f"{p}{name}_token_id"
            if key not in self.meta:
                continue
            self.expect_type(key, U32)
            token = self.meta[key]
            if name in _TOKEN_IDS and n_vocab is not None and token >= n_vocab:
                raise _fail(key, token, translate("core", "outside the vocabulary of {n_vocab} tokens").format(n_vocab=n_vocab))
        for name in _TOKENIZER_BOOLS:
            if p + name in self.meta:
                self.expect_type(p + name, BOOL)

    def check_token_array(self, key: str, etypes: tuple[int, ...], n_vocab: int) -> None:
        from app.core.gguf_info import SkippedArray

        if key not in self.meta:
            return
        value = self.meta[key]
        vtype, etype = self.type_of(key)
        if vtype != ARR or etype not in etypes:
            names = " or ".join(TYPE_NAMES[t] for t in etypes)
            raise _fail(key, value, translate("core", "must be an array of {names}").format(names=names))
        length = value.length if isinstance(value, SkippedArray) else len(value)
        if length < n_vocab:  # llama.cpp reads one per token; a longer array is harmless
            raise _fail(key, value, translate(
                "core", "must have a value for each of the {n_vocab} tokens").format(n_vocab=n_vocab))
        # A NaN score breaks the tokenizer's ordering of merges; -inf is a plain "never".
        nan = value.has_nan if isinstance(value, SkippedArray) else any(v != v for v in value)
        if nan:
            raise _fail(key, value, translate("core", "contains NaN"))


def validate_metadata(info: GGUFInfo) -> None:
    """Raise ModelFileError naming the first key whose value llama.cpp must not see."""
    checker = _Checker(info)
    checker.check_general()
    checker.check_arch()
    checker.check_tokenizer()

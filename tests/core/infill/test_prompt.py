"""Infill prompts, token for token, against reference constructions on generated GGUFs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.engine import LocalEngine
from app.core.infill.formats import InfillFamily, detect_format
from app.core.infill.prompt import InfillRequest, Snippet, build_infill_prompt

PREFIX = "def f(x):\n    "
SUFFIX = "return x\n"


@pytest.fixture(scope="module")
def codellama(tiny_codellama: Path):
    engine = LocalEngine(tiny_codellama)
    yield engine
    engine.close()


def _piece_ids(engine: LocalEngine) -> dict[str, int]:
    tok = engine.tokenizer
    return {tok.token_text(i): i for i in range(engine._llama.n_vocab())}


def test_code_llama_psm_matches_the_reference_layout(codellama: LocalEngine) -> None:
    fmt = detect_format(codellama.tokenizer, "codellama")
    assert fmt is not None and (fmt.pre, fmt.suf, fmt.mid, fmt.bos) == (32007, 32008, 32009, 1)
    assert 32010 in fmt.stop_ids  # <EOT>, even though this GGUF names no eot token
    prompt = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest(PREFIX, SUFFIX), 1000)
    ids = _piece_ids(codellama)
    # "<PRE> {prefix}<SUF>{suffix} <MID>": the prefix keeps SentencePiece's leading space ("▁def"),
    # the suffix does not ("return", not "▁return").
    expected = ([1, 32007] + [ids[p] for p in ["▁def", "▁f", "(", "x", ")", ":", "<0x0A>", "▁", "▁", "▁", "▁"]]
                + [32008] + [ids[p] for p in ["return", "▁x", "<0x0A>"]] + [32009])
    assert prompt.tokens == expected


def test_code_llama_spm_puts_the_suffix_first(codellama: LocalEngine) -> None:
    fmt = detect_format(codellama.tokenizer)
    prompt = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest(PREFIX, SUFFIX, suffix_first=True), 1000)
    ids = _piece_ids(codellama)
    expected = ([1, 32007, 32008] + [ids[p] for p in ["return", "▁x", "<0x0A>"]] + [32009]
                + [ids[p] for p in ["▁def", "▁f", "(", "x", ")", ":", "<0x0A>", "▁", "▁", "▁", "▁"]])
    assert prompt.tokens == expected


def test_code_llama_suffix_starting_with_a_space_keeps_it(codellama: LocalEngine) -> None:
    fmt = detect_format(codellama.tokenizer)
    prompt = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest("a =", " b\n"), 1000)
    ids = _piece_ids(codellama)
    middle = prompt.tokens.index(32008)
    assert prompt.tokens[middle + 1:-1] == [ids["▁b"], ids["<0x0A>"]]


@pytest.mark.parametrize("family,template", [
    ("qwen", "<|fim_prefix|>{p}<|fim_suffix|>{s}<|fim_middle|>"),
    ("starcoder", "<fim_prefix>{p}<fim_suffix>{s}<fim_middle>"),
    ("deepseek", "<｜begin▁of▁sentence｜><｜fim▁begin｜>{p}<｜fim▁hole｜>{s}<｜fim▁end｜>"),
])
def test_bpe_families_match_their_documented_prompt_string(tiny_bpe, family: str, template: str) -> None:
    engine = LocalEngine(tiny_bpe(family))
    try:
        tok = engine.tokenizer
        fmt = detect_format(tok)
        assert fmt is not None and fmt.family is InfillFamily(family)
        prompt = build_infill_prompt(fmt, tok, InfillRequest(PREFIX, SUFFIX), 1000)
        assert prompt.tokens == tok.encode(template.format(p=PREFIX, s=SUFFIX), special=True)
        # Code that contains the family's own marker text stays text: no injected special token.
        tricky = build_infill_prompt(fmt, tok, InfillRequest("x = '<fim_middle><|fim_middle|>'\n", ""), 1000)
        assert tricky.tokens.count(fmt.mid) == 1
    finally:
        engine.close()


@pytest.mark.parametrize("family,template", [
    ("qwen", "<|repo_name|>demo\n<|file_sep|>util.py\ndef helper(): pass\n<|file_sep|>main.py\n"
             "<|fim_prefix|>{p}<|fim_suffix|>{s}<|fim_middle|>"),
    ("starcoder", "<repo_name>demo\n<file_sep>util.py\ndef helper(): pass\n<file_sep>main.py\n"
                  "<fim_prefix>{p}<fim_suffix>{s}<fim_middle>"),
])
def test_repository_level_formats(tiny_bpe, family: str, template: str) -> None:
    engine = LocalEngine(tiny_bpe(family))
    try:
        tok = engine.tokenizer
        fmt = detect_format(tok)
        request = InfillRequest(PREFIX, SUFFIX, path="main.py", repo_name="demo",
                                snippets=[Snippet("util.py", "def helper(): pass")])
        prompt = build_infill_prompt(fmt, tok, request, 1000)
        assert prompt.tokens == tok.encode(template.format(p=PREFIX, s=SUFFIX), special=True)
        assert prompt.snippets == request.snippets
    finally:
        engine.close()


def test_families_without_repository_tokens_get_snippets_as_comments(codellama: LocalEngine) -> None:
    fmt = detect_format(codellama.tokenizer)
    request = InfillRequest(PREFIX, SUFFIX, path="main.py", snippets=[Snippet("util.py", "def helper():\n    pass")])
    prompt = build_infill_prompt(fmt, codellama.tokenizer, request, 1000)
    prefix_ids = codellama.tokenizer.encode("# util.py\n# def helper():\n#     pass\n\n" + PREFIX)
    assert prompt.tokens[2:2 + len(prefix_ids)] == prefix_ids
    # An unknown file type gets no snippets rather than code pasted into the file.
    plain = build_infill_prompt(fmt, codellama.tokenizer, replace(request, path="notes.unknown"), 1000)
    assert plain.snippets == []
    # No file named (llama.vscode's requests): the snippets' own language marks them.
    unnamed = build_infill_prompt(fmt, codellama.tokenizer, replace(request, path=""), 1000)
    assert unnamed.snippets == request.snippets
    assert unnamed.tokens[2:2 + len(prefix_ids)] == prefix_ids


def test_long_files_are_trimmed_around_the_cursor(codellama: LocalEngine) -> None:
    fmt = detect_format(codellama.tokenizer)
    prefix = "".join(f"line_{i} = {i}\n" for i in range(5000))
    suffix = "".join(f"after_{i} = {i}\n" for i in range(5000))
    prompt = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest(prefix, suffix), 600)
    assert len(prompt.tokens) <= 600
    assert prefix.endswith(prompt.prefix) and prompt.prefix.startswith("line_")  # whole lines, nearest kept
    assert suffix.startswith(prompt.suffix) and prompt.suffix.endswith("\n")
    assert len(prompt.prefix) > 2 * len(prompt.suffix)  # the prefix gets most of the room
    short_suffix = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest(prefix, "}\n"), 600)
    assert short_suffix.suffix == "}\n" and len(short_suffix.prefix) > len(prompt.prefix)


@pytest.mark.parametrize("prefix,suffix", [("", ""), ("", "x = 1\n"), ("x = 1\n", ""), ("é" * 10, "\0\x01")])
def test_edges_build_a_valid_prompt(codellama: LocalEngine, prefix: str, suffix: str) -> None:
    fmt = detect_format(codellama.tokenizer)
    prompt = build_infill_prompt(fmt, codellama.tokenizer, InfillRequest(prefix, suffix), 1000)
    assert prompt.tokens[:2] == [1, 32007] and prompt.tokens[-1] == 32009


def test_manifest_says_none_means_no_infill(codellama: LocalEngine) -> None:
    assert detect_format(codellama.tokenizer, "none") is None


def test_models_without_infill_tokens(smollm2_engine: LocalEngine) -> None:
    assert detect_format(smollm2_engine.tokenizer) is None
    assert smollm2_engine.info.infill_format == ""


def test_a_model_of_no_known_family_uses_the_tokens_its_gguf_declares(tiny_bpe) -> None:
    engine = LocalEngine(tiny_bpe("declared"))
    try:
        tok = engine.tokenizer
        fmt = detect_format(tok)
        assert fmt is not None and fmt.family is InfillFamily.GENERIC and fmt.label == "GGUF-declared"
        prompt = build_infill_prompt(fmt, tok, InfillRequest(PREFIX, SUFFIX), 1000)
        assert prompt.tokens == tok.encode(f"<pfx>{PREFIX}<sfx>{SUFFIX}<mdl>", special=True)
        assert engine.info.infill_format == "GGUF-declared"
    finally:
        engine.close()


def test_families_keep_their_manifest_names_and_features_follow_the_family() -> None:
    assert [f.value for f in InfillFamily] == ["codellama", "qwen", "starcoder", "deepseek", "generic"]
    for family in InfillFamily:
        assert family.suffix_first == (family is InfillFamily.CODELLAMA)


def test_the_engine_reports_the_family_itself(tiny_codellama) -> None:
    from app.core.engine import LoadOptions, LocalEngine

    engine = LocalEngine(tiny_codellama, options=LoadOptions(context_limit=512))
    try:
        assert engine.info.infill_family is InfillFamily.CODELLAMA and engine.info.infill_format
    finally:
        engine.close()

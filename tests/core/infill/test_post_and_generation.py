"""The middle shown: suffix repeats cut, single-line mode, and real generation from infill prompts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.engine import LocalEngine
from app.core.errors import PromptError
from app.core.infill.post import MiddleFilter, filter_middle
from app.core.infill.prompt import InfillRequest
from app.core.settings import SamplingSettings


def _streamed(text: str, suffix: str, prefix: str = "", single_line: bool = False, size: int = 1) -> tuple[str, bool]:
    middle = MiddleFilter(suffix, single_line, prefix)
    shown = "".join(middle.feed(text[i:i + size]) for i in range(0, len(text), size))
    return shown + middle.finish(), middle.done


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_a_middle_that_runs_into_the_suffix_is_cut_there(size: int) -> None:
    prefix = "int add(int a, int b) {\n"
    suffix = "}\n\nint main(void) { return add(1, 2); }\n"
    generated = "    return a + b;\n}\n\nint main(void) {"
    assert _streamed(generated, suffix, prefix, size=size) == ("    return a + b;\n", True)


def test_an_inner_block_closing_is_not_mistaken_for_the_suffix() -> None:
    generated = "    if (a) {\n        b();\n    }\n    return 1;\n"
    assert filter_middle(generated, "}\n", prefix="int f() {\n") == generated


def test_a_line_that_only_starts_like_the_suffix_is_shown_whole() -> None:
    assert _streamed("    returned = 1\n", "    return x\n", "def f():\n")[0] == "    returned = 1\n"
    assert _streamed("x = }", "}\n", "f() {\n")[0] == "x = }"


def test_the_rest_of_the_cursor_line_is_not_the_anchor() -> None:
    # Cursor inside `print(|)`: the suffix's first line ")" belongs to the cursor's line.
    assert filter_middle("value", ")\nnext_line()\n", prefix="print(") == "value"
    # A middle that writes the rest of the line again and goes on has rewritten the line.
    assert filter_middle("value)\nnext_line()\nmore", ")\nnext_line()\n", prefix="print(") == "value"
    # Ending on its own line is not evidence of that: "f(a)" inside print(|) is a whole middle.
    assert filter_middle("f(a)", ")\n", prefix="print(") == "f(a)"


def test_single_line_mode_stops_at_the_end_of_the_line() -> None:
    assert _streamed("a + b\nnext()", "", single_line=True) == ("a + b", True)
    # At the end of a line the middle may start on the next one.
    assert filter_middle("\n    x = 1\n    y = 2", "", single_line=True) == "\n    x = 1"


def test_a_carriage_return_ends_a_line_too() -> None:
    # A model may write "\r" or "\r\n" (a random tiny model did, and a text-mode pipe showed two lines).
    assert filter_middle("a + b\rnext()", "", single_line=True) == "a + b"
    assert filter_middle("a + b\r\nnext()", "", single_line=True) == "a + b"
    assert filter_middle("x = 1\r\ny = 2\r", "") == "x = 1\ny = 2\n"
    # "\r" and "\n" in separate pieces are one line break, not two.
    middle = MiddleFilter("", False, "")
    assert middle.feed("x\r") + middle.feed("\ny") + middle.finish() == "x\ny"
    # Only line breaks end a line: a form feed or a file separator is text (str.splitlines differs).
    assert filter_middle("a\x0cb\x1cc\nd", "", single_line=True) == "a\x0cb\x1cc"


def test_nothing_is_lost_without_a_suffix() -> None:
    assert _streamed("a\n\nb\n  c", "")[0] == "a\n\nb\n  c"


@pytest.fixture(scope="module")
def codellama(tiny_codellama: Path):
    engine = LocalEngine(tiny_codellama)
    yield engine
    engine.close()


GREEDY = SamplingSettings(temperature=0.0, max_tokens=12, repeat_penalty=1.0)


def test_generation_stops_at_the_end_of_infill_token(codellama: LocalEngine) -> None:
    request = InfillRequest("def f(x):\n    ", "\n")
    tokens = codellama.infill_prompt(request, GREEDY.max_tokens).tokens
    raw = []
    for token in codellama._llama.generate(tokens, temp=0.0, top_k=1, repeat_penalty=1.0):
        raw.append(token)
        if len(raw) == 8:
            break
    stop_at = next(i for i in range(2, 8) if raw[i] not in raw[:i])
    # The real llama.cpp on the prompt the app built: the middle ends where the stop token comes,
    # and keeps the leading space of its first piece (it follows the prefix directly).
    fmt = replace(codellama.infill, stop_ids=frozenset({raw[stop_at]}))
    generation = codellama.infill_text(request, GREEDY, fmt=fmt)
    text = generation.text()
    assert text == codellama.tokenizer.decode(raw[:stop_at])
    assert generation.stats.stop_reason == "end" and generation.stats.generated_tokens == stop_at


def test_the_middle_is_filtered_while_it_streams(codellama: LocalEngine) -> None:
    request = InfillRequest("def f(x):\n    ", "\n")
    free = codellama.infill_text(request, GREEDY).text()
    assert free
    single = codellama.infill_text(request, replace(GREEDY, max_tokens=40), single_line=True).text()
    assert "\n" not in single.lstrip("\n")


def test_a_model_without_infill_tokens_says_so(smollm2_engine: LocalEngine) -> None:
    with pytest.raises(PromptError, match="no fill-in-the-middle tokens"):
        smollm2_engine.infill_text(InfillRequest("a", "b"), GREEDY)


def test_the_result_does_not_depend_on_how_the_text_was_chunked() -> None:
    import random

    cases = [("    return a + b;\n}\n\nint main(void) {", "}\n\nint main(void) {}\n", "int f() {\n", False),
             ("value)\nnext_line()\nmore", ")\nnext_line()\n", "print(", False),
             ("a + b\nnext()", "", "", True), ("    if x:\n        y\n    z\n", "    z\n", "def f():\n", False),
             ("x = 1\r\ny = 2\r\n", "", "", False), ("a\rb\r\nc", "", "", True)]
    rng = random.Random(3)
    for text, suffix, prefix, single in cases:
        whole = filter_middle(text, suffix, single, prefix)
        for _ in range(200):
            cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(1, 6))))
            parts = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)])]
            middle = MiddleFilter(suffix, single, prefix)
            assert "".join(middle.feed(p) for p in parts) + middle.finish() == whole

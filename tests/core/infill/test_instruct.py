"""The instruction-based fill for models without infill tokens: prompt, answer cleaning, real model."""

from __future__ import annotations

import pytest

from app.core.engine import LocalEngine
from app.core.infill.instruct import MARK, EchoFilter, FenceFilter, SuffixEchoFilter, instruction_messages
from app.core.settings import SamplingSettings


def _run(filter_, text: str, size: int) -> str:
    out = "".join(filter_.feed(text[i:i + size]) for i in range(0, len(text), size))
    return out + filter_.finish()


@pytest.mark.parametrize("size", [1, 4, 1000])
def test_fences_are_dropped(size: int) -> None:
    assert _run(FenceFilter(), "```python\n    return x\n```\nThis returns x.", size) == "    return x\n"
    assert _run(FenceFilter(), "    return x\n", size) == "    return x\n"
    assert _run(FenceFilter(), "s = '```'\n", size) == "s = '```'\n"


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_a_restated_line_before_the_marker_is_dropped(size: int) -> None:
    assert _run(EchoFilter("def add(a, b):\n"), "def add(a, b):\n    return a + b\n", size) == "    return a + b\n"
    assert _run(EchoFilter("def f():\n    x = "), "x = 5\n", size) == "5\n"
    assert _run(EchoFilter("def f():\n    x = "), "def f():\n    x = 5", size) == "5"
    assert _run(EchoFilter("a = 1\n"), "b = 2\na = 1\n", size) == "b = 2\na = 1\n"  # only at the start
    # The cursor after an indentation: the answer's own copy of it is not added twice.
    assert _run(EchoFilter("def f():\n    "), "    return 1\n    pass\n", size) == "return 1\n    pass\n"


def test_the_prompt_marks_the_cursor_and_fits_the_budget(smollm2_engine: LocalEngine) -> None:
    prefix = "".join(f"v{i} = {i}\n" for i in range(3000))
    messages, used_prefix, used_suffix = instruction_messages(prefix, "print(v1)\n", "Python", 300,
                                                              smollm2_engine.tokenizer.encode)
    assert f"{used_prefix}{MARK}{used_suffix}" in messages[1].content
    assert prefix.endswith(used_prefix) and used_suffix == "print(v1)\n"
    assert len(smollm2_engine.tokenizer.encode(used_prefix + used_suffix)) <= 300


def test_a_chat_model_fills_a_function_body(smollm2_engine: LocalEngine) -> None:
    sampling = SamplingSettings(temperature=0.0, max_tokens=48)
    generation = smollm2_engine.instruction_fill("def add(a, b):\n", "\n\nprint(add(1, 2))\n", "python", sampling)
    text = generation.text()
    assert "return" in text and "def add" not in text and "```" not in text
    line = smollm2_engine.instruction_fill("def add(a, b):\n    return ", "\n", "python", sampling,
                                           single_line=True).text()
    assert line and "\n" not in line and not line.startswith("return")


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_a_rewrite_of_the_file_keeps_only_the_new_code(size: int) -> None:
    prefix = '"""Helpers."""\nimport re\n\n\ndef is_palindrome(text):\n    """Same backwards."""\n    '
    suffix = "\n\n\ndef main() -> None:\n    print(is_palindrome('abba'))\n"
    answer = ('"""Helpers."""\nimport re\n\ndef is_palindrome(text):\n    """Same backwards"""\n'
              "    cleaned = re.sub('[^a-z]', '', text.lower())\n    return cleaned == cleaned[::-1]\n\n"
              "def main():\n    print(is_palindrome('abba'))\n")
    echo, repeat = EchoFilter(prefix), SuffixEchoFilter(suffix)
    shown = _run(echo, answer, size)
    assert _run(repeat, shown, size) == "cleaned = re.sub('[^a-z]', '', text.lower())\n    return cleaned == cleaned[::-1]"


def test_short_lines_are_not_taken_for_the_suffix() -> None:
    assert _run(SuffixEchoFilter("}\nelse:\n"), "    x += 1\n}\n", 1) == "    x += 1\n}\n"


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_line_breaks_before_code_on_the_cursor_line_are_kept(size: int) -> None:
    # The marker at the start of a non-empty line: the middle must end its own line.
    assert _run(SuffixEchoFilter("def main():\n    pass\n"), "    return a + b\n\ndef main():\n", size) == \
        "    return a + b\n\n"
    # At a line's end the file already has the break: none is added.
    assert _run(SuffixEchoFilter("\n\ndef main():\n"), "    return a + b\n\n", size) == "    return a + b"


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_fences_after_blank_lines_or_a_preamble(size: int) -> None:
    assert _run(FenceFilter(), "\n```python\nreturn a + b\n```", size) == "return a + b\n"
    assert _run(FenceFilter(), "Here is the code:\n```python\nx = 1\n```\nDone.", size) == "x = 1\n"
    assert _run(FenceFilter(), "\n}```", size) == _run(FenceFilter(), "\n}```", 1000)


def test_changed_code_is_not_taken_for_an_echo() -> None:
    assert _run(EchoFilter("def sub(a, b):\n    return a + b\n"), "    return a - b\n", 1) == "    return a - b\n"

"""The instruction-based fill for models without infill tokens: prompt, fences, real model (the answer's
clean-up is tested in test_tidy.py)."""

from __future__ import annotations

import pytest

from app.core.engine import LocalEngine
from app.core.infill.instruct import MARK, FenceFilter, instruction_messages
from app.core.settings import SamplingSettings


def _run(filter_, text: str, size: int) -> str:
    out = "".join(filter_.feed(text[i:i + size]) for i in range(0, len(text), size))
    return out + filter_.finish()


@pytest.mark.parametrize("size", [1, 4, 1000])
def test_fences_are_dropped(size: int) -> None:
    assert _run(FenceFilter(), "```python\n    return x\n```\nThis returns x.", size) == "    return x\n"
    assert _run(FenceFilter(), "    return x\n", size) == "    return x\n"
    assert _run(FenceFilter(), "s = '```'\n", size) == "s = '```'\n"
    # Windows line ends: the fence lines are still fences, and the code keeps one "\n" per line.
    assert _run(FenceFilter(), "```python\r\n    return x\r\n```\r\nDone.", size) == "    return x\n"


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


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_fences_after_blank_lines_or_a_preamble(size: int) -> None:
    assert _run(FenceFilter(), "\n```python\nreturn a + b\n```", size) == "return a + b\n"
    assert _run(FenceFilter(), "Here is the code:\n```python\nx = 1\n```\nDone.", size) == "x = 1\n"
    assert _run(FenceFilter(), "\n}```", size) == _run(FenceFilter(), "\n}```", 1000)

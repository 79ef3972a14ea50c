"""The chat's default system prompt asks for answers in the language of the question (issue 14).

On the real embedded SmolLM2 with the default settings' system prompt, greedy: a question in
Chinese gets an answer mostly in Chinese, one in English an answer in English.
"""

from __future__ import annotations

import re

import pytest

from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings, Settings

HAN = re.compile(r"[\u4e00-\u9fff]")
GREEDY = SamplingSettings(temperature=0.0, max_tokens=48, seed=1)


def test_the_default_system_prompt_names_the_question_s_language() -> None:
    assert "language of the question" in Settings().system_prompt


@pytest.mark.model
@pytest.mark.parametrize("question,chinese", [
    ("什么是递归？请简单解释。", True),
    ("如何在 Python 中读取文件？", True),
    ("What is recursion? Explain briefly.", False),
])
def test_the_answer_follows_the_question_s_language(smollm2_engine, question: str, chinese: bool) -> None:
    messages = [ChatMessage("system", Settings().system_prompt), ChatMessage("user", question)]
    answer = "".join(smollm2_engine.chat(messages, GREEDY))
    letters = [c for c in answer if c.isalpha()]
    han = len(HAN.findall(answer))
    assert letters, answer
    if chinese:
        assert han >= 10 and han / len(letters) > 0.3, answer
    else:
        assert han == 0, answer

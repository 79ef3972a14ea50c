"""The official `openai` client against the app's server over the real SmolLM2."""

from __future__ import annotations

import openai
import pytest
import requests


def client(base: str, key: str = "none") -> openai.OpenAI:
    return openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0, timeout=120)


def test_openai_client_streams_a_chat_with_usage_and_done(smol_server):
    stream = client(smol_server).chat.completions.create(
        model="local", messages=[{"role": "user", "content": "Name a colour."}], stream=True, max_tokens=12,
        seed=3, temperature=0, stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    assert chunks[0].choices[0].delta.role == "assistant"
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1 and finals[0].choices[0].finish_reason in ("stop", "length")
    usage = chunks[-1]
    assert usage.choices == [] and usage.usage.completion_tokens >= 1 and usage.usage.prompt_tokens > 5
    assert usage.usage.total_tokens == usage.usage.prompt_tokens + usage.usage.completion_tokens


def test_raw_stream_ends_with_done_line(smol_server):
    with requests.post(smol_server + "/v1/chat/completions", stream=True, timeout=120, json={
            "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4, "stream": True}) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in reply.iter_lines(decode_unicode=True) if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"


def test_chat_prompt_is_the_apps_own_format(smol_server, smol_runner):
    """The server's prompt count is the app's own chat format's count, not a client template's."""
    from app.core.prompts.chat import ChatMessage

    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}]
    reply = client(smol_server).chat.completions.create(model="local", messages=messages, max_tokens=4, seed=1)
    expected = smol_runner.submit(lambda engine: engine.prompt_tokens(
        [ChatMessage("system", "Be brief."), ChatMessage("user", "What is 2+2?")])).result(timeout=60)
    assert reply.usage.prompt_tokens == expected
    assert reply.choices[0].message.role == "assistant" and reply.choices[0].message.content


def test_same_seed_same_answer_and_max_tokens_is_a_length_finish(smol_server):
    ask = dict(model="local", messages=[{"role": "user", "content": "Write a long poem about rivers."}],
               max_tokens=6, seed=11, temperature=0.9)
    first = client(smol_server).chat.completions.create(**ask)
    second = client(smol_server).chat.completions.create(**ask)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.usage.completion_tokens == 6 and first.choices[0].finish_reason == "length"


def test_context_overflow_is_a_400_with_the_counts(smol_server):
    with pytest.raises(openai.BadRequestError) as caught:
        client(smol_server).chat.completions.create(
            model="local", messages=[{"role": "user", "content": "word " * 3000}], max_tokens=4)
    error = caught.value.body
    assert caught.value.status_code == 400 and caught.value.code == "context_length_exceeded"
    assert error["n_ctx"] == 2048 and error["n_prompt_tokens"] > 2048
    assert "2,048" in error["message"]


def test_bad_input_is_an_openai_400(smol_server):
    with pytest.raises(openai.BadRequestError) as caught:
        client(smol_server).chat.completions.create(model="local", messages=[{"role": "tool", "content": "x"}])
    assert "role" in caught.value.body["message"] and caught.value.body["param"] == "messages"
    with pytest.raises(openai.BadRequestError) as caught:
        client(smol_server).chat.completions.create(model="local", messages=[{"role": "user", "content": "x"}],
                                                     temperature=7)
    assert caught.value.body["param"] == "temperature"


def test_a_batch_of_prompts_or_several_choices_is_a_400_not_one_joined_answer(smol_server):
    """The openai client's batch (a list of prompts) wants a choice per prompt; the server answers
    one prompt per request, so it says so instead of answering "HelloWorld" once."""
    with pytest.raises(openai.BadRequestError) as caught:
        client(smol_server).completions.create(model="local", prompt=["Hello", "World"], max_tokens=2)
    assert caught.value.body["param"] == "prompt" and "one prompt" in caught.value.body["message"]
    with pytest.raises(openai.BadRequestError) as caught:
        client(smol_server).chat.completions.create(model="local", messages=[{"role": "user", "content": "x"}],
                                                     n=2, max_tokens=2)
    assert caught.value.body["param"] == "n"


def test_completions_with_stop_and_models(smol_server):
    c = client(smol_server)
    assert [m.id for m in c.models.list().data] == ["SmolLM2"]
    free = c.completions.create(model="local", prompt="1, 2, 3, 4,", max_tokens=12, seed=2, temperature=0)
    assert free.choices[0].text
    stop = free.choices[0].text.strip()[:2] or ","  # a piece of what the same request produced
    stopped = c.completions.create(model="local", prompt="1, 2, 3, 4,", max_tokens=12, seed=2, temperature=0,
                                   stop=[stop])
    assert stop not in stopped.choices[0].text
    assert free.choices[0].text.startswith(stopped.choices[0].text)
    assert stopped.choices[0].finish_reason == "stop"


def test_completions_stream(smol_server):
    stream = client(smol_server).completions.create(model="local", prompt="def add(a, b):", max_tokens=8,
                                                    stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert "".join(c.choices[0].text for c in chunks if c.choices)
    assert chunks[-1].usage.completion_tokens >= 1


def test_suffix_fills_the_middle_through_the_infill_use_case(tiny_runner, start_server):
    base = start_server(tiny_runner).address
    reply = client(base).completions.create(model="local", prompt="def add(a, b):\n    return ", suffix="\n",
                                            max_tokens=8, seed=5)
    assert reply.choices[0].finish_reason in ("stop", "length")
    # The tiny model has random weights: what matters is that the infill format ran (the prompt
    # holds the FIM tokens), so its evaluated size is what the app's infill prompt builder makes.
    from app.core.infill.prompt import InfillRequest

    expected = tiny_runner.submit(lambda engine: len(engine.infill_prompt(
        InfillRequest("def add(a, b):\n    return ", "\n"), 8).tokens)).result(timeout=60)
    assert reply.usage.prompt_tokens == expected


def test_suffix_on_a_model_without_infill_tokens_is_an_instruction_fill(smol_server):
    reply = client(smol_server).completions.create(model="local", prompt="def square(x):\n    return ",
                                                   suffix="\n\nprint(square(3))\n", max_tokens=12, seed=5)
    assert reply.choices[0].finish_reason in ("stop", "length") and isinstance(reply.choices[0].text, str)
    assert reply.usage.prompt_tokens > 20  # the instruction fill's chat prompt, not the bare text

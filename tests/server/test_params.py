"""Request mapping without a model: budgets, stop strings, messages and prompts."""

from __future__ import annotations

import pytest

from app.core.serve.errors import BadRequest
from app.core.serve.params import MAX_STOPS, budget_of, messages_of, prompt_of, stops_of
from app.core.serve.stops import StopFilter
from app.core.settings import SamplingSettings

BASE = SamplingSettings(max_tokens=100, temperature=0.2, seed=-1)


def run(stops, pieces):
    f = StopFilter(stops)
    out = [f.feed(p) for p in pieces]
    return "".join(out) + f.finish(), f


def test_stop_filter_cuts_across_pieces_and_keeps_partial_matches():
    text, f = run(["###"], ["a #", "#", "# b"])
    assert text == "a " and f.done and f.matched == "###"
    text, f = run(["###"], ["a #", "# b"])
    assert text == "a ## b" and not f.done
    text, _ = run(["END", "\n\n"], ["x\n", "\ny END"])
    assert text == "x"


def test_budget_maps_both_vocabularies():
    b = budget_of({"max_tokens": 5, "temperature": 0, "seed": 3, "stop": "\n"}, BASE)
    assert (b.max_tokens, b.sampling.max_tokens, b.sampling.temperature, b.sampling.seed, b.stops) == (5, 5, 0.0, 3, ("\n",))
    assert budget_of({}, BASE).sampling == BASE
    warm = budget_of({"n_predict": 0}, BASE, names=("n_predict",), allow_zero=True)
    assert warm.warm_up and warm.sampling.max_tokens == 1
    assert budget_of({"n_predict": -1}, BASE, names=("n_predict",)).sampling.max_tokens > 10**6
    for bad, param in (({"max_tokens": 0}, "max_tokens"), ({"temperature": "hot"}, "temperature"),
                       ({"top_p": 2}, "top_p"), ({"seed": 1.5}, "seed"), ({"max_tokens": True}, "max_tokens")):
        with pytest.raises(BadRequest) as caught:
            budget_of(bad, BASE)
        assert caught.value.param == param


def test_stops_and_messages_and_prompts_are_checked():
    assert stops_of({"stop": ["a", "b"]}) == ("a", "b")
    for bad in ({"stop": [""]}, {"stop": 3}, {"stop": ["x"] * (MAX_STOPS + 1)}):
        with pytest.raises(BadRequest):
            stops_of(bad)
    messages = messages_of({"messages": [{"role": "developer", "content": "be brief"},
                                         {"role": "user", "content": [{"type": "text", "text": "hi"}]}]})
    assert [(m.role, m.content) for m in messages] == [("system", "be brief"), ("user", "hi")]
    for bad in ({}, {"messages": []}, {"messages": [{"role": "assistant", "content": "x"}]},
                {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}):
        with pytest.raises(BadRequest):
            messages_of(bad)
    assert prompt_of({"prompt": ["one"]}) == "one" and prompt_of({"prompt": [1, "a", 2]}) == [1, "a", 2]
    with pytest.raises(BadRequest):
        prompt_of({"prompt": [True]})
    # OpenAI's batch of prompts (and llama-server's, a list of strings only) asks for one answer each:
    # refused, never joined into one prompt ("HelloWorld") and answered once.
    for batch in (["Hello", "World"], [[1, 2], [3, 4]]):
        with pytest.raises(BadRequest, match="one prompt"):
            prompt_of({"prompt": batch})


def test_a_continue_sized_stop_list_is_taken():
    """Continue's autocomplete sends its template's stops (starcoder2: 5), the multi-line and common
    stops (5), starcoder2's artifact stops (3) and the language's stop words: more than 16."""
    continue_stops = ["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>", "<|endoftext|>",
                      "\n\n", "\r\n\r\n", "/src/", "#- coding: utf-8", "```", "t.", "\nt", "<file_sep>",
                      "function", "class", "module", "export "]
    assert stops_of({"stop": continue_stops}) == tuple(continue_stops)


def test_more_than_one_choice_is_refused():
    """`n` above 1 asks for several answers; one answer with n: 2 would be silently short."""
    assert budget_of({"n": 1}, BASE).max_tokens == BASE.max_tokens
    with pytest.raises(BadRequest) as caught:
        budget_of({"n": 2}, BASE)
    assert caught.value.param == "n"

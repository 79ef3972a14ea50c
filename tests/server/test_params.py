"""Request mapping without a model: budgets, stop strings, messages and prompts."""

from __future__ import annotations

import pytest

from app.core.serve.errors import BadRequest
from app.core.serve.params import budget_of, messages_of, prompt_of, stops_of
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
    for bad in ({"stop": [""]}, {"stop": 3}, {"stop": ["x"] * 17}):
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

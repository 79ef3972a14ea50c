"""Repository-aware requests: chat answered over the app's packed context with citations; infill
with the repository's definitions; only allowed folders are read."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "billing.py").write_text(
        "TAX_RATE = 0.2\n\n\ndef compute_invoice_total(items, discount=0.0):\n"
        "    \"\"\"Sum of item prices with tax, minus the discount.\"\"\"\n"
        "    subtotal = sum(price for _, price in items)\n"
        "    return subtotal * (1 + TAX_RATE) - discount\n")
    (root / "shipping.py").write_text("def shipping_cost(weight):\n    return 5 + weight * 0.5\n")
    return root


def test_chat_with_repository_answers_with_citations(smol_runner, start_server, small_repo):
    base = start_server(smol_runner, repositories=[small_repo]).address
    ask = {"messages": [{"role": "user", "content": "How does compute_invoice_total apply the tax?"}],
           "max_tokens": 8, "seed": 1}
    plain = requests.post(base + "/v1/chat/completions", json=ask, timeout=300).json()
    reply = requests.post(base + "/v1/chat/completions", json={**ask, "repository": str(small_repo)},
                          timeout=300).json()
    assert "citations" not in plain
    assert any(c["path"] == "billing.py" for c in reply["citations"]), reply
    assert reply["usage"]["prompt_tokens"] > plain["usage"]["prompt_tokens"] + 40  # the packed code went in
    by_alias = requests.post(base + "/v1/chat/completions", json={**ask, "model": "repo:shop"}, timeout=300).json()
    assert by_alias["usage"]["prompt_tokens"] == reply["usage"]["prompt_tokens"]
    models = requests.get(base + "/v1/models", timeout=30).json()["data"]
    assert [m["id"] for m in models] == ["SmolLM2", "repo:shop"]


def test_streamed_repository_chat_sends_citations_in_the_last_chunk(smol_runner, start_server, small_repo):
    import json

    base = start_server(smol_runner, repositories=[small_repo]).address
    body = {"messages": [{"role": "user", "content": "What does shipping_cost return?"}], "max_tokens": 4,
            "stream": True, "repository": "shop"}
    with requests.post(base + "/v1/chat/completions", json=body, stream=True, timeout=300) as reply:
        events = [json.loads(line[6:]) for line in reply.iter_lines(decode_unicode=True)
                  if line.startswith("data: {")]
    final = [e for e in events if e["choices"] and e["choices"][0]["finish_reason"]]
    assert any(c["path"] == "shipping.py" for c in final[0]["citations"])


def test_a_repository_not_allowed_is_refused(smol_runner, start_server, small_repo, tmp_path):
    other = tmp_path / "secret"
    other.mkdir()
    (other / "keys.py").write_text("KEY = 'x'\n")
    base = start_server(smol_runner, repositories=[small_repo]).address
    body = {"messages": [{"role": "user", "content": "What is KEY?"}], "repository": str(other)}
    reply = requests.post(base + "/v1/chat/completions", json=body, timeout=60)
    assert reply.status_code == 403 and "not one this server was allowed" in reply.json()["error"]["message"]
    none = start_server(smol_runner).address
    assert requests.post(none + "/v1/chat/completions", json=body, timeout=60).status_code == 403


def test_infill_adds_the_repositorys_definitions(tiny_runner, start_server, small_repo):
    # `path` (an extension field) names the edited file: Code Llama gets other files' code as comments,
    # and the comment marker comes from the file's extension.
    body = {"input_prefix": "def checkout(cart):\n    total = compute_invoice_total(", "input_suffix": ")\n",
            "n_predict": 2, "seed": 1, "path": "checkout.py"}
    without = requests.post(start_server(tiny_runner).address + "/infill", json=body, timeout=120).json()
    base = start_server(tiny_runner, repositories=[small_repo]).address
    with_repo = requests.post(base + "/infill", json=body, timeout=300).json()  # the only allowed one: the default
    assert with_repo["tokens_evaluated"] > without["tokens_evaluated"] + 20

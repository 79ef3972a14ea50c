"""Requests shaped as llama.vscode and Continue send them, to the llama-server-compatible routes."""

from __future__ import annotations

import json

import requests


def post(base: str, path: str, body: dict, **kw) -> requests.Response:
    return requests.post(base + path, json=body, timeout=120, **kw)


def vscode_infill(prefix: str, suffix: str, line: str, n_predict: int, extra=None) -> dict:
    """llama.vscode's /infill body (src/llama-server.ts): the cursor line's start in `prompt`."""
    return {"input_prefix": prefix, "input_suffix": suffix, "input_extra": extra or [], "prompt": line,
            "n_predict": n_predict, "top_k": 40, "top_p": 0.99, "stream": False,
            "samplers": ["top_k", "top_p", "infill"], "cache_prompt": True, "t_max_prompt_ms": 500,
            "t_max_predict_ms": 1000, "n_indent": 4}


def test_llama_vscode_warm_up_then_infill(tiny_runner, start_server):
    base = start_server(tiny_runner).address
    extra = [{"filename": "util.py", "text": "def helper(x):\n    return x * 2\n"}]
    warm = post(base, "/infill", vscode_infill("def main():\n", "\n\nmain()\n", "    ", 0, extra))
    assert warm.status_code == 200, warm.text
    assert warm.json()["content"] == "" and warm.json()["tokens_predicted"] <= 1
    reply = post(base, "/infill", vscode_infill("def main():\n", "\n\nmain()\n", "    ", 8, extra))
    body = reply.json()
    assert reply.status_code == 200 and isinstance(body["content"], str)
    assert body["stop"] is True and body["tokens_evaluated"] > 0
    assert body["tokens_cached"] > 0  # the warm-up's prompt was reused
    assert {"prompt_n", "predicted_n", "cache_n"} <= set(body["timings"])


def test_infill_prompt_appends_the_cursor_line_to_the_prefix(tiny_runner, start_server):
    base = start_server(tiny_runner).address
    split = post(base, "/infill", vscode_infill("a = 1\n", "\n", "b = ", 1)).json()
    whole = post(base, "/infill", vscode_infill("a = 1\nb = ", "\n", "", 1)).json()
    assert split["tokens_evaluated"] == whole["tokens_evaluated"]


def test_continue_completion_streams(smol_server):
    """Continue's llama.cpp provider: POST /completion with stream: true and its own prompt."""
    body = {"prompt": "def fibonacci(n):", "stream": True, "n_predict": 10, "temperature": 0.2,
            "stop": ["\n\n\n"], "cache_prompt": True}
    with requests.post(smol_server + "/completion", json=body, stream=True, timeout=120) as reply:
        assert reply.status_code == 200
        events = [json.loads(line[6:]) for line in reply.iter_lines(decode_unicode=True) if line.startswith("data: ")]
    assert events[-1]["stop"] is True and events[-1]["tokens_predicted"] >= 1
    assert all(e["stop"] is False for e in events[:-1]) and "".join(e["content"] for e in events)


def test_completion_with_token_ids_matches_text(smol_server):
    tokens = post(smol_server, "/tokenize", {"content": "The sky is", "add_special": True}).json()["tokens"]
    by_ids = post(smol_server, "/completion", {"prompt": tokens, "n_predict": 6, "seed": 4, "temperature": 0}).json()
    by_text = post(smol_server, "/completion", {"prompt": "The sky is", "n_predict": 6, "seed": 4,
                                                "temperature": 0}).json()
    assert by_ids["content"] == by_text["content"] and by_ids["tokens_evaluated"] == len(tokens)
    bad = post(smol_server, "/completion", {"prompt": [10**9]})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 400


def test_completion_with_n_predict_0_warms_the_cache(smol_server):
    prompt = "def fibonacci(n):\n    " * 20
    warm = post(smol_server, "/completion", {"prompt": prompt, "n_predict": 0})
    assert warm.status_code == 200 and warm.json()["content"] == ""
    after = post(smol_server, "/completion", {"prompt": prompt, "n_predict": 2}).json()
    assert after["tokens_cached"] >= after["tokens_evaluated"] - 1 > 0


def test_tokenize_detokenize_round_trip(smol_server):
    tokens = post(smol_server, "/tokenize", {"content": "hello world"}).json()["tokens"]
    assert len(tokens) == 2 and all(isinstance(t, int) for t in tokens)
    pieces = post(smol_server, "/tokenize", {"content": "hello world", "with_pieces": True}).json()["tokens"]
    assert [p["id"] for p in pieces] == tokens and "".join(p["piece"] for p in pieces) == "hello world"
    assert post(smol_server, "/detokenize", {"tokens": tokens}).json() == {"content": "hello world"}
    # Control tokens keep their text both ways, as llama-server gives it (a remote client learns the
    # chat format's markers from these pieces).
    marked = post(smol_server, "/tokenize", {"content": "<|im_start|>user", "with_pieces": True}).json()["tokens"]
    assert marked[0]["piece"] == "<|im_start|>"
    ids = [p["id"] for p in marked]
    assert post(smol_server, "/detokenize", {"tokens": ids}).json() == {"content": "<|im_start|>user"}


def test_props_and_health(smol_server, smol_runner):
    props = requests.get(smol_server + "/props", timeout=30).json()
    assert props["default_generation_settings"]["n_ctx"] == 2048
    assert props["model_path"] == smol_runner.info().model_path and "im_start" in props["chat_template"]
    assert requests.get(smol_server + "/health", timeout=30).json() == {"status": "ok"}


def test_completion_overflow_is_llama_servers_error(smol_server):
    reply = post(smol_server, "/completion", {"prompt": "word " * 3000, "n_predict": 4})
    error = reply.json()["error"]
    assert reply.status_code == 400 and error["type"] == "exceed_context_size_error"
    assert error["n_ctx"] == 2048 and error["n_prompt_tokens"] > 2048


def test_input_extra_reaches_a_code_llama_prompt_without_a_file_name(tiny_runner, start_server):
    """llama.vscode names no file; its extra chunks still go in (as comments, marked for their language)."""
    base = start_server(tiny_runner).address
    extra = [{"filename": "src/util.py", "text": "def helper(x):\n    return x * 2\n"}]
    bare = post(base, "/infill", vscode_infill("def main():\n", "\n", "    ", 1)).json()
    with_extra = post(base, "/infill", vscode_infill("def main():\n", "\n", "    ", 1, extra)).json()
    assert with_extra["tokens_evaluated"] > bare["tokens_evaluated"] + 10

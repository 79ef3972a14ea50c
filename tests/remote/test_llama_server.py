"""RemoteEngine against llama.cpp's real llama-server (built by scripts/build_llama_server.sh).

llama-server tokenizes and takes token ids, so here the app sends its own prompts: the tokens the
server evaluates are the ones the local engine would (Code Llama's format on the tiny Code Llama,
SmolLM2's template), infill goes through /infill or as the app's infill tokens, a repository
question is answered and its follow-up reuses the server's prompt cache, and the CLI's --remote
runs end to end.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import run_cli
from app.core.engine import LoadOptions, LocalEngine
from app.core.infill.fill import FillMode, describe_fill, start_fill
from app.core.infill.prompt import InfillRequest
from app.core.prompts.chat import ChatMessage
from app.core.remote.engine import InfillRoute, RemoteConfig, RemoteEngine
from app.core.remote.errors import RemoteAuthError, RemoteContextError
from app.core.remote.probe import ChatRoute, ServerKind
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import PreparedQuestion
from app.core.settings import SamplingSettings
from tests.fixtures.servers import start_llama_server

GREEDY = SamplingSettings(temperature=0.0, max_tokens=12, seed=1)
DIALOG = [ChatMessage("system", "You answer briefly."), ChatMessage("user", "What is a list?"),
          ChatMessage("assistant", "An ordered collection."), ChatMessage("user", "And a <|im_start|> tuple [x]?")]


@pytest.fixture(scope="module")
def codellama_server(llama_server_binary: Path, tiny_codellama: Path):
    # One slot: every request meets the same prompt cache (llama-server otherwise splits the context).
    with start_llama_server(llama_server_binary, tiny_codellama, n_ctx=2048, extra_args=["-np", "1"]) as server:
        yield server


@pytest.fixture(scope="module")
def smol_server(llama_server_binary: Path, smollm2_path: Path):
    with start_llama_server(llama_server_binary, smollm2_path, n_ctx=4096, extra_args=["-np", "1"]) as server:
        yield server


@pytest.fixture(scope="module")
def local_codellama(tiny_codellama: Path):
    engine = LocalEngine(tiny_codellama, chat_format="auto", options=LoadOptions(context_limit=2048))
    yield engine
    engine.close()


@pytest.fixture
def remote_codellama(codellama_server):
    engine = RemoteEngine(RemoteConfig(codellama_server.base_url))
    yield engine
    engine.close()


def test_the_report_says_llama_server_takes_the_apps_tokens(remote_codellama: RemoteEngine) -> None:
    report = remote_codellama.report
    assert report.kind is ServerKind.LLAMA_SERVER and report.n_ctx_reported and report.n_ctx == 2048
    assert report.route is ChatRoute.TOKEN_IDS and remote_codellama.route is ChatRoute.TOKEN_IDS
    # llama.cpp stands ChatML in for a model without a template; the app uses Code Llama's own format.
    assert remote_codellama.chat_format == "codellama-instruct"
    assert "Takes token ids: yes" in "\n".join(report.lines())


def test_code_llama_chat_is_token_exact(remote_codellama: RemoteEngine, local_codellama: LocalEngine) -> None:
    local = local_codellama.build_prompt(DIALOG).tokens
    assert remote_codellama.build_prompt(DIALOG).tokens == local
    generation = remote_codellama.chat(DIALOG, GREEDY)
    generation.text()
    assert generation.stats.prompt_tokens == len(local)  # what the server says it evaluated
    assert generation.stats.stop_reason in ("end", "length")


def test_a_templated_chat_is_token_exact(smol_server, smollm2_engine: LocalEngine) -> None:
    remote = RemoteEngine(RemoteConfig(smol_server.base_url, chat_format="template"))
    try:
        local = smollm2_engine.build_prompt(DIALOG).tokens
        assert remote.build_prompt(DIALOG).tokens == local  # '<|im_start|>' in the text stays text
        generation = remote.chat(DIALOG, GREEDY)
        assert generation.text().strip()
        assert generation.stats.prompt_tokens == len(local)
    finally:
        remote.close()


def test_infill_through_the_servers_infill(codellama_server) -> None:
    remote = RemoteEngine(RemoteConfig(codellama_server.base_url, prefer_server_infill=True))
    try:
        assert remote.infill_route is InfillRoute.SERVER_INFILL
        assert describe_fill(remote.info).mode is FillMode.INFILL
        generation = start_fill(remote, InfillRequest("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n",
                                                      path="m.py"), SamplingSettings(temperature=0.0, max_tokens=8))
        generation.text()  # random weights: what it writes means nothing, that it answers does
        assert generation.stats.prompt_tokens > 10 and generation.stats.stop_reason in ("end", "length")
    finally:
        remote.close()


def test_infill_as_the_apps_tokens_is_token_exact(remote_codellama: RemoteEngine,
                                                  local_codellama: LocalEngine) -> None:
    assert remote_codellama.infill_route is InfillRoute.TOKEN_IDS
    request = InfillRequest("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n", path="m.py")
    expected = local_codellama.infill_prompt(request, 8).tokens
    assert remote_codellama.infill_prompt(request, 8).tokens == expected
    generation = start_fill(remote_codellama, request, SamplingSettings(temperature=0.0, max_tokens=8))
    generation.text()
    assert generation.stats.prompt_tokens == len(expected)


def _repo(root: Path) -> Path:
    (root / "shapes").mkdir(parents=True)
    (root / "shapes" / "circle.py").write_text(
        "import math\n\n\nclass Circle:\n    def __init__(self, r):\n        self.r = r\n\n"
        "    def area(self):\n        return math.pi * self.r ** 2\n")
    (root / "shapes" / "square.py").write_text(
        "class Square:\n    def __init__(self, side):\n        self.side = side\n\n"
        "    def area(self):\n        return self.side * self.side\n")
    return root


def test_a_repository_answer_and_a_follow_up_that_reuses_the_cache(smol_server, tmp_path: Path) -> None:
    from app.core.settings import Settings, repo_rules

    remote = RemoteEngine(RemoteConfig(smol_server.base_url))
    assistant = RepoAssistant(tmp_path / "index")
    try:
        assistant.open(_repo(tmp_path / "repo"), repo_rules(Settings()))
        sampling = SamplingSettings(temperature=0.0, max_tokens=24, seed=1)
        prepared = assistant.prepare("How is the area of a circle computed?", remote.info.n_ctx, remote.count_tokens,
                                     sampling.max_tokens)
        assert any(c.path == "shapes/circle.py" for c in prepared.session.context.chunks)
        first = remote.chat(prepared.messages, sampling, keep_leading=prepared.keep_leading,
                            state_scope=prepared.state_scope)
        answer = first.text()
        assert answer.strip()
        prepared.session.record(prepared.question, answer)
        follow = PreparedQuestion.continuing(prepared.session, "And of a square?")
        second = remote.chat(follow.messages, sampling, keep_leading=follow.keep_leading)
        second.text()
        # The packed code and the first answer came from the server's cache; only the new turn was read.
        assert second.stats.reused_tokens >= first.stats.prompt_tokens - 1
        assert second.stats.prompt_tokens > first.stats.prompt_tokens
    finally:
        assistant.close()
        remote.close()


def test_the_cli_chats_asks_and_fills_through_remote(smol_server, codellama_server, tmp_path: Path, capsys) -> None:
    url = smol_server.base_url
    assert run_cli(["chat", "--remote", url, "-n", "8", "-t", "0", "Name a colour."]) == 0
    assert capsys.readouterr().out.strip()
    repo = _repo(tmp_path / "repo")
    assert run_cli(["ask", "--remote", url, "--repo", str(repo), "-n", "16", "How is a circle's area computed?"]) == 0
    assert "Context sent" in capsys.readouterr().out
    assert run_cli(["context", "--remote", url, "--repo", str(repo), "--budget", "200", "--json", "circle"]) == 0
    assert "remote:" + url in capsys.readouterr().out
    prefix = tmp_path / "prefix.py"
    prefix.write_text("def add(a, b):\n    return ")
    assert run_cli(["infill", "--remote", codellama_server.base_url, "--prefix-file", str(prefix), "-n", "6",
                    "-t", "0"]) == 0
    capsys.readouterr()
    assert run_cli(["chat", "--remote", url, "--model", "x", "hi"]) == 1
    assert "not both" in capsys.readouterr().err


def test_an_overflow_is_refused_with_the_servers_context(remote_codellama: RemoteEngine) -> None:
    with pytest.raises(RemoteContextError, match="2,048") as refused:
        remote_codellama.chat([ChatMessage("user", "word " * 3000)], GREEDY)
    assert refused.value.prompt_tokens > 2048 and refused.value.n_ctx == 2048


def test_a_wrong_key_is_refused(llama_server_binary: Path, tiny_codellama: Path) -> None:
    with start_llama_server(llama_server_binary, tiny_codellama, n_ctx=512, api_key="k-right") as server:
        with pytest.raises(RemoteAuthError, match="API key"):
            RemoteEngine(RemoteConfig(server.base_url, key="k-wrong"))
        engine = RemoteEngine(RemoteConfig(server.base_url, key="k-right"))
        engine.close()

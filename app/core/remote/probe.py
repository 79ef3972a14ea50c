"""Which server is at an address and what it can do: the "Test connection" report.

Asked once when a remote engine connects, in this order: llama-server's `/props` (context size,
chat template, BOS/EOS), `/v1/models` (the models served, vLLM's `max_model_len`, the key's
check), then what tells the others apart (`/version`, Ollama's `/api/version`, LM Studio's
`/api/v0/models`, llama-cpp-python's `/extras/tokenize`). What the server supports decides how
prompts are sent (`ChatRoute`): as the app's own token ids where the server takes them, else as
chat messages, and the report says what that loses.

Threads: runs on the thread that owns the engine (the inference thread, or a worker for the
Models window's Test connection), never the GUI thread: every step is a network round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from app.core.i18n import translate
from app.core.remote.errors import RemoteAuthError, RemoteError, RemoteModelError, RemoteUnsupportedError
from app.core.remote.http import RemoteClient

PROBE_TIMEOUT_S = 10.0
ASSUMED_CONTEXT = 4096  # when a server does not say (Ollama, plain OpenAI): said in the report


class ServerKind(str, Enum):
    LLAMA_SERVER = "llama.cpp llama-server"
    CODELLAMA_DESKTOP = "Code Llama Desktop"
    VLLM = "vLLM"
    LLAMA_CPP_PYTHON = "llama-cpp-python server"
    OLLAMA = "Ollama"
    LM_STUDIO = "LM Studio"
    OPENAI = "OpenAI-compatible server"


class ChatRoute(str, Enum):
    """How a chat prompt reaches the server."""

    TOKEN_IDS = "token ids"  # the app's exact prompt tokens (llama-server /completion, vLLM /v1/completions)
    CHAT_MESSAGES = "chat messages"  # /v1/chat/completions: the server applies its own template


_ROUTE_WORDS = {ChatRoute.TOKEN_IDS: translate("core", "token ids"),
                ChatRoute.CHAT_MESSAGES: translate("core", "chat messages")}


class Tokenize(str, Enum):
    """Which tokenize endpoint the server has, if any."""

    LLAMA = "/tokenize (llama-server)"  # content, add_special, parse_special, with_pieces
    VLLM = "/tokenize (vLLM)"  # model, prompt, add_special_tokens
    EXTRAS = "/extras/tokenize (llama-cpp-python)"  # input; adds BOS and parses special tokens
    NONE = "none"


@dataclass(frozen=True)
class ServerReport:
    """What Test connection found. Frozen: the Models window shows it on the GUI thread."""

    url: str
    kind: ServerKind
    model: str  # the model requests name
    models: tuple[str, ...] = ()
    n_ctx: int = ASSUMED_CONTEXT
    n_ctx_reported: bool = False
    tokenize: Tokenize = Tokenize.NONE
    token_ids: bool = False  # takes a prompt as a list of token ids
    infill_endpoint: bool = False  # llama-server's /infill
    chat_template: str = ""  # the server's template source ('' when unknown or llama.cpp's stand-in)
    bos_token: str = ""
    eos_token: str = ""
    version: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def route(self) -> ChatRoute:
        return ChatRoute.TOKEN_IDS if self.token_ids and self.tokenize is not Tokenize.NONE else ChatRoute.CHAT_MESSAGES

    def lines(self) -> list[str]:
        """The report in words, one fact a line (the Models window and `--verbose` show these)."""
        yes = {True: translate("core", "yes"), False: translate("core", "no")}
        if self.n_ctx_reported:
            ctx = translate("core", "{n_ctx:,} tokens").format(n_ctx=self.n_ctx)
        else:
            ctx = translate("core", "{n_ctx:,} tokens (not reported by the server; assumed)").format(n_ctx=self.n_ctx)
        if self.version:
            server = translate("core", "Server: {kind} {version} at {url}").format(
                kind=self.kind.value, version=self.version, url=self.url)
        else:
            server = translate("core", "Server: {kind} at {url}").format(kind=self.kind.value, url=self.url)
        model = self.model or translate("core", "(the server default)")
        if len(self.models) > 1:
            model_line = translate("core", "Model: {model} (serves {models})").format(
                model=model, models=", ".join(self.models[:6]))
        else:
            model_line = translate("core", "Model: {model}").format(model=model)
        if self.tokenize is Tokenize.NONE:
            tokenizes = translate("core", "Tokenizes: {answer}").format(answer=yes[False])
        else:
            tokenizes = translate("core", "Tokenizes: {answer} via {endpoint}").format(
                answer=yes[True], endpoint=self.tokenize.value)
        lines = [server, model_line,
                 translate("core", "Context: {context}").format(context=ctx),
                 tokenizes,
                 translate("core", "Takes token ids: {answer}").format(answer=yes[self.token_ids]),
                 translate("core", "Infill endpoint: {answer}").format(answer=yes[self.infill_endpoint]),
                 translate("core", "Prompts sent as: {route}").format(route=_ROUTE_WORDS[self.route])]
        return lines + list(self.notes)


def probe(client: RemoteClient, model: str = "") -> ServerReport:
    """Find out what `client`'s server is and serves; raises RemoteError when it cannot be used."""
    props = _json(client, "/props")
    listed = client.get("/v1/models", timeout_s=PROBE_TIMEOUT_S)
    if listed.status in (401, 403):
        raise client.error_for(listed.status, listed.data, "/v1/models")
    if props is None and listed.status == 200 and listed.data is None:
        # A web app (a chat front end's port, a page answering every path) is not an API server.
        raise RemoteUnsupportedError(translate(
            "core", "{name} answers /v1/models with something that is not a model list (a web page?); give the address of the "
            "model server's API.").format(name=client.name))
    entries = _entries(listed.data) if listed.status == 200 else []
    if props is None and listed.status != 200:
        if listed.status >= 400 and _json(client, "/health") is None:
            raise RemoteUnsupportedError(translate(
                "core", "{name} answers neither /props nor /v1/models ({status}); it is not an OpenAI-compatible or llama.cpp "
                "server.").format(name=client.name, status=listed.status))
    ids = tuple(str(e.get("id")) for e in entries if e.get("id"))
    kind, version = _kind(client, props, entries)
    chosen = _choose_model(client, model, ids)
    n_ctx, reported = _context(client, kind, props, entries, chosen)
    tokenize = {ServerKind.LLAMA_SERVER: Tokenize.LLAMA, ServerKind.VLLM: Tokenize.VLLM,
                ServerKind.LLAMA_CPP_PYTHON: Tokenize.EXTRAS}.get(kind, Tokenize.NONE)
    if kind is ServerKind.CODELLAMA_DESKTOP:
        tokenize = Tokenize.LLAMA if _answers(client, "/tokenize", {"content": "a"}) else Tokenize.NONE
    sample: list[int] = []
    if tokenize is Tokenize.LLAMA:  # a wrong key is found now
        sample = [t if isinstance(t, int) else 0 for t in
                  (client.post_ok("/tokenize", {"content": "a"}, timeout_s=PROBE_TIMEOUT_S) or {}).get("tokens", [])]
    # Another server of llama-server's API may not take token ids: one token of a real prompt tells.
    token_ids = kind in (ServerKind.LLAMA_SERVER, ServerKind.VLLM) or (
        kind is ServerKind.CODELLAMA_DESKTOP and bool(sample)
        and _answers(client, "/completion", {"prompt": sample, "n_predict": 1, "stream": False}))
    template = ""
    if props is not None:
        template = str(props.get("chat_template") or "")
    notes = _notes(kind, tokenize, token_ids, reported)
    return ServerReport(
        url=client.url, kind=kind, model=chosen, models=ids, n_ctx=n_ctx, n_ctx_reported=reported,
        tokenize=tokenize, token_ids=token_ids,
        infill_endpoint=kind in (ServerKind.LLAMA_SERVER, ServerKind.CODELLAMA_DESKTOP) and props is not None,
        chat_template=template, bos_token=str((props or {}).get("bos_token") or ""),
        eos_token=str((props or {}).get("eos_token") or ""), version=version, notes=notes)


def _json(client: RemoteClient, path: str) -> Any:
    """GET `path`'s JSON when it answers 200 (None otherwise); 401/403 is raised: the key is wrong."""
    reply = client.get(path, timeout_s=PROBE_TIMEOUT_S)
    if reply.status in (401, 403):
        raise client.error_for(reply.status, reply.data, path)
    return reply.data if reply.status == 200 else None


def _answers(client: RemoteClient, path: str, body: dict) -> bool:
    try:
        data = client.post_ok(path, body, timeout_s=PROBE_TIMEOUT_S)
    except RemoteAuthError:
        raise
    except RemoteError:
        return False
    return data is not None  # an endpoint answers in JSON; a page served for any path does not


def _entries(data: Any) -> list[dict]:
    items = data.get("data") if isinstance(data, dict) else None
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _kind(client: RemoteClient, props: Any, entries: list[dict]) -> tuple[ServerKind, str]:
    owners = {str(e.get("owned_by", "")) for e in entries}
    if isinstance(props, dict) and "default_generation_settings" in props:
        build = str(props.get("build_info") or "")
        if "codellama-desktop" in build.lower() or "codellama-desktop" in owners:
            return ServerKind.CODELLAMA_DESKTOP, build.split()[-1] if build else ""
        return ServerKind.LLAMA_SERVER, build
    if "vllm" in owners:
        version = _json(client, "/version")
        return ServerKind.VLLM, str(version.get("version", "")) if isinstance(version, dict) else ""
    ollama = _json(client, "/api/version")
    if isinstance(ollama, dict) and "version" in ollama:
        return ServerKind.OLLAMA, str(ollama["version"])
    if _json(client, "/api/v0/models") is not None:
        return ServerKind.LM_STUDIO, ""
    if _answers(client, "/extras/tokenize", {"input": "a"}):
        return ServerKind.LLAMA_CPP_PYTHON, ""
    return ServerKind.OPENAI, ""


def _choose_model(client: RemoteClient, model: str, ids: tuple[str, ...]) -> str:
    if not model:
        return ids[0] if ids else ""
    if ids and model not in ids:
        raise RemoteModelError(translate(
            "core", "{name} does not serve the model {model!r}; it serves: {names}."
        ).format(name=client.name, model=model, names=', '.join(ids[:12])))
    return model


def _context(client: RemoteClient, kind: ServerKind, props: Any, entries: list[dict], model: str) -> tuple[int, bool]:
    if isinstance(props, dict):
        n_ctx = (props.get("default_generation_settings") or {}).get("n_ctx")
        if isinstance(n_ctx, int) and n_ctx > 0:
            return n_ctx, True
    for entry in entries:
        if entry.get("id") == model or not model:
            for key in ("max_model_len", "context_length", "max_context_length"):
                value = entry.get(key)
                if isinstance(value, int) and value > 0:
                    return value, True
    if kind is ServerKind.LM_STUDIO:
        data = _json(client, "/api/v0/models")
        for entry in _entries(data):
            if entry.get("id") == model:
                value = entry.get("loaded_context_length") or entry.get("max_context_length")
                if isinstance(value, int) and value > 0:
                    return value, True
    return ASSUMED_CONTEXT, False


def _notes(kind: ServerKind, tokenize: Tokenize, token_ids: bool, reported: bool) -> tuple[str, ...]:
    notes = []
    if not token_ids:
        notes.append(translate("core", "Chat goes through /v1/chat/completions: the server's own chat template builds the "
                               "prompt, so it is not token-exact, and the app's infill tokens cannot be sent (fills are "
                               "asked for in words)."))
    if tokenize is Tokenize.NONE:
        notes.append(translate("core", "The server cannot tokenize: token counts (the context meter, repository budgets) "
                               "are estimates."))
    elif tokenize is Tokenize.EXTRAS:
        notes.append(translate("core", "Token counts come from llama-cpp-python's /extras/tokenize (exact for text)."))
    if not reported:
        notes.append(translate("core", "Give the context size in the remote engine's settings if it differs."))
    return tuple(notes)

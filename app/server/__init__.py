"""The local server: OpenAI- and llama-server-compatible HTTP over the app's loaded model.

A front end like cli.py: routes translate requests into the core's use cases (app.core.serve,
infill.fill, repo.assistant) and run model work through the one ModelRunner.

Contract (the GUI's switch codes against this):
    LocalServer(runner, settings: ServerSettings, *, api_key="", repositories=(), on_request=None,
                sampling=None, cache_dir=None, settings_for_repos=None)
    .start() -> str   binds (port 8765 or the next free one), returns "http://127.0.0.1:8765";
                      raises ServerStartError (a UserError) when it cannot
    .stop()           ends streams and the server thread
    .address          the base URL ("" when stopped); .running
    RequestLogEntry   frozen: time, method, path, status, tokens_in, tokens_out, seconds, client; .line()
    client_snippet(base_url, api_key) -> str   Python `openai` snippet and a curl line
`on_request` is called on the server's own thread (the GUI marshals it to its thread).
"""

from app.server.local_server import LocalServer, ServerStartError
from app.server.log_entry import RequestLogEntry
from app.server.snippet import client_snippet

__all__ = ["LocalServer", "RequestLogEntry", "ServerStartError", "client_snippet"]

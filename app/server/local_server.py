"""`LocalServer`: the HTTP front end on its own thread and event loop (uvicorn), bound on start.

It binds the socket itself, on the settings' port or the next free one, so `start()` returns the
address before any request can come. Nothing listens until `start()`; `stop()` ends the open
streams' generations and the thread.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
from pathlib import Path
from typing import Callable, Sequence

from app.core.errors import UserError
from app.core.model_runner import ModelRunner
from app.core.serve.repos import RepoService
from app.core.settings import SamplingSettings, ServerSettings, Settings, repo_rules
from app.server.asgi import build_app
from app.server.bridge import Gate
from app.server.context import ServeContext
from app.server.guard import Guard
from app.server.log_entry import RequestLogEntry

log = logging.getLogger(__name__)

PORT_TRIES = 20  # 8765, then the next ones
KEEP_ALIVE_S = 60


class ServerStartError(UserError):
    """The server could not start (no free port, an address that is not this machine's, no key)."""


def bind_socket(host: str, port: int, tries: int = PORT_TRIES) -> socket.socket:
    """A listening-ready socket on `port` or the next free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last: OSError | None = None
    for candidate in range(port, min(port + tries, 65536)):
        # IPPROTO_TCP said outright: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say so,
        # and with Nagle on, each reply's second write waits ~40 ms for the client's delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        if hasattr(socket, "SO_REUSEADDR") and socket.SO_REUSEADDR and __import__("os").name == "posix":
            # A port left in TIME_WAIT by the last run is free to listen on again (on POSIX this never
            # lets two servers share a port; on Windows it would, so it is not set there).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as exc:
            sock.close()
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise ServerStartError(f"Cannot listen on {host}: {exc.strerror or exc}.") from None
            last = exc
            continue
        sock.set_inheritable(False)
        return sock
    raise ServerStartError(f"No free port on {host} from {port} to {port + tries - 1} ({last}).")


class LocalServer:
    """The local OpenAI- and llama-server-compatible server over the model of `runner`.

    Args:
        runner: the loaded model's thread (the GUI's inference worker or a ModelThread).
        settings: address, CORS, limits.
        api_key: required as `Authorization: Bearer` when set; a non-loopback host needs one.
        repositories: folders a request may name (`repository`); the only ones read.
        on_request: called on the server's thread after each request with its log entry.
        sampling: defaults for what a request leaves out (the user's sampling settings).
        cache_dir: where repository indexes are kept (None: the app's cache directory).
        settings_for_repos: the scan rules and infill context come from these (None: defaults).
    """

    def __init__(self, runner: ModelRunner, settings: ServerSettings, *, api_key: str = "",
                 repositories: Sequence[Path] = (), on_request: Callable[[RequestLogEntry], None] | None = None,
                 sampling: SamplingSettings | None = None, cache_dir: Path | None = None,
                 settings_for_repos: Settings | None = None) -> None:
        app_settings = settings_for_repos or Settings()
        if not settings.loopback and not api_key:
            raise ServerStartError(f"Listening on {settings.host} lets other machines use the model: "
                                   "an API key is required (--api-key or CODELLAMA_SERVER_KEY).")
        if settings.api_key_required and not api_key:
            raise ServerStartError("The settings require an API key, and none was given.")
        repos = None
        if repositories:
            if cache_dir is None:
                from app.core.paths import app_paths
                cache_dir = app_paths().cache
            repos = RepoService(repositories, cache_dir, repo_rules(app_settings))
        self.settings = settings
        self._ctx = ServeContext(runner, settings, sampling or app_settings.sampling, repos,
                                 app_settings.infill_context, Gate(settings.max_waiting))
        self._guard = Guard(build_app(self._ctx), api_key=api_key, max_body=settings.max_request_kb * 1024,
                            on_request=on_request, origins=settings.cors_origins)
        self._server = None
        self._thread: threading.Thread | None = None
        self.address = ""  # the base URL once started

    def start(self) -> str:
        """Bind and serve; returns the base URL (http://127.0.0.1:8765, or the next free port)."""
        import uvicorn

        if self._thread is not None:
            return self.address
        sock = bind_socket(self.settings.host, self.settings.port)
        port = sock.getsockname()[1]
        self._guard.allow_hosts(self.settings.host, port)
        config = uvicorn.Config(self._guard, log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=3, ws="none", server_header=False,
                                # An editor keeps its connection between completions; uvicorn's 5 s would
                                # make it reconnect after every pause in typing.
                                timeout_keep_alive=KEEP_ALIVE_S)
        self._server = uvicorn.Server(config)
        failed: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 - told to start(), logged
                failed.append(exc)
                log.exception("the local server stopped")
            finally:
                sock.close()
                # sse-starlette leaves a watcher task per process: end it rather than warn at close.
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.close()

        self._thread = threading.Thread(target=serve, name="local-server", daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            self._thread.join(0.01)
        if not self._server.started:
            self._thread = None
            raise ServerStartError(f"The server did not start: {failed[0] if failed else 'unknown reason'}")
        host = f"[{self.settings.host}]" if ":" in self.settings.host else self.settings.host
        self.address = f"http://{host}:{port}"
        if not self.settings.loopback:
            log.warning("the local server listens on %s: other machines can reach it", self.address)
        log.info("local server at %s", self.address)
        return self.address

    def stop(self, timeout_s: float = 10.0) -> None:
        """End the open generations, then the server: their responses finish (as cancelled) at once."""
        aborted = self._ctx.gate.abort_all()
        if aborted:
            log.info("stopping the local server: %d generation(s) cancelled", aborted)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        if self._ctx.repos is not None:
            self._ctx.repos.close()
        self.address = ""

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

"""`codellama-desktop serve`: the local server from the command line.

Loads the model on a ModelThread (the same one-thread rule as the GUI's inference worker), starts
LocalServer, prints the address and a client snippet to stderr, logs each request there, and stops
cleanly on Ctrl+C. Nothing goes to stdout: it stays free for scripts that start the server.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
import time
from pathlib import Path

from app.cli_args import int_at_least, nonempty
from app.context import AppContext
from app.core.errors import UserError
from app.core.model_runner import ModelThread
from app.core.settings import SettingsValueError

KEY_ENV = "CODELLAMA_SERVER_KEY"
_STDERR = threading.Lock()  # the server's thread logs requests while the main thread may be speaking


def _say(text: str) -> None:
    with _STDERR:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def add_serve_parser(sub) -> None:
    serve = sub.add_parser("serve", help="serve the model over HTTP (OpenAI- and llama-server-compatible)")
    serve.add_argument("--model", "-m", help="manifest id or path to a .gguf file (default: the configured model)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1; any other needs an API key)")
    serve.add_argument("--port", type=int_at_least(1, "--port"), help="port (default 8765, or the next free one)")
    serve.add_argument("--api-key", help=f"require this key as 'Authorization: Bearer KEY' (or set {KEY_ENV}; "
                                         "default: the key kept in the keyring, if any)")
    serve.add_argument("--cors", nargs="+", metavar="ORIGIN", default=None,
                       help="browser origins allowed to call the server (default: none, CORS off)")
    serve.add_argument("--repository", action="append", type=nonempty("--repository"), metavar="PATH",
                       default=[], help="a folder requests may name as 'repository' (repeat for more)")
    serve.set_defaults(func=cmd_serve)


def _api_key(ctx: AppContext, given: str | None) -> str:
    if given is not None:
        return given.strip()
    if os.environ.get(KEY_ENV, "").strip():
        return os.environ[KEY_ENV].strip()
    from app.core.secrets import ServerKeyStore

    return ServerKeyStore(ctx.paths.config / "server-key").get()


def cmd_serve(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.server import LocalServer, client_snippet

    settings = ctx.settings.server
    changes = {k: v for k, v in (("host", args.host), ("port", args.port),
                                 ("cors_origins", tuple(args.cors) if args.cors else None)) if v is not None}
    try:
        settings = dataclasses.replace(settings, **changes)
    except SettingsValueError as exc:
        raise UserError(str(exc)) from None
    for folder in args.repository:
        if not Path(folder).expanduser().is_dir():
            raise UserError(f"--repository {folder}: not a folder")
    api_key = _api_key(ctx, args.api_key)
    if (not settings.loopback or settings.api_key_required) and not api_key:  # said before the model loads
        raise UserError(f"listening on {settings.host} lets other machines use the model: an API key is "
                        f"required (--api-key or {KEY_ENV})" if not settings.loopback else
                        "the settings require an API key for the server: give --api-key or set " + KEY_ENV)
    model = ctx.resolve(args.model)
    print(f"loading {model.display_name}...", file=sys.stderr)
    runner = ModelThread(lambda: ctx.load_engine(model))
    try:
        info = runner.start().result()
        server = LocalServer(runner, settings, api_key=api_key, repositories=[Path(p) for p in args.repository],
                             on_request=lambda entry: _say(entry.line()),
                             sampling=ctx.settings.sampling, cache_dir=ctx.paths.cache,
                             settings_for_repos=ctx.settings)
        address = server.start()
    except BaseException:
        runner.close()
        raise
    if not settings.loopback:
        _say(f"warning: listening on {settings.host}: other machines on the network can use this model "
             "(the API key is required)")
    _say(f"serving {info.model_name} (context {info.n_ctx:,}) at {address}")
    for root in args.repository:
        _say(f"repository allowed: {Path(root).expanduser().resolve()}")
    _say(client_snippet(address, api_key))
    _say("Ctrl+C stops the server")
    # Ctrl+C and a service manager's SIGTERM (systemd, a container) only note the signal. The handler
    # runs on this thread between bytecodes, so it must take no lock: raising KeyboardInterrupt into
    # Event.wait once left the wait's lock half-released, and calling Event.set from the handler
    # deadlocked when a second Ctrl+C landed while this thread held the event's lock inside wait().
    stops: list[int] = []  # the signals received; list.append takes no lock
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda signum, _frame: stops.append(signum)) for sig in handled}
    try:
        while not stops:
            time.sleep(0.2)  # a signal ends the sleep early; the handler has run by the time it returns
            if not server.running:
                raise UserError("the server stopped unexpectedly; see the log")
    except KeyboardInterrupt:  # a Ctrl+C before the handler was installed
        stops.append(signal.SIGINT)
    finally:
        if stops:
            _say("stopping")
        try:
            server.stop()  # bounded waits; a second Ctrl+C meanwhile is only noted again
            runner.close()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    return 0

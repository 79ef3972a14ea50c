"""The `models` commands: list, inspect, download, remove and import models.

Output follows the CLI's rule: results on stdout, progress and messages on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING

from app.cli_args import terminal_safe
from app.context import AppContext
from app.core.errors import ModelNotFoundError

if TYPE_CHECKING:
    from app.core.download import DownloadProgress


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _entry(ctx: AppContext, model_id: str):
    entry = ctx.manifest.get(model_id)
    if entry is None:
        raise ModelNotFoundError(f"unknown model {model_id!r}; see `codellama-desktop models list`")
    return entry


def _catalogue(ctx: AppContext):
    from app.core.catalogue import ModelCatalogue

    return ModelCatalogue.in_folders(ctx.paths)


def cmd_models_list(ctx: AppContext, args: argparse.Namespace) -> int:
    listing = _catalogue(ctx).listing(ctx.manifest)
    # "best" last, so the columns before it stay where scripts reading this table expect them.
    header = ("id", "params", "quant", "size", "roles", "fit", "state", "best")
    rows = [(r.entry.id, r.entry.parameters, r.entry.quantization,
             ("" if r.size_exact or not r.size else "~") + (_human(r.size) if r.size else "?"),
             ",".join(r.entry.roles), r.verdict, r.state.value, "yes" if r.best_quant else "")
            for r in listing.rows]
    rows = [tuple(terminal_safe(cell) for cell in row) for row in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    chosen = listing.recommendation  # the window's "Recommended next": one rule for both (catalogue.recommend)
    if chosen is not None:
        print(terminal_safe(f"recommended here: {chosen.row.entry.id}: {chosen.reason()}"), file=sys.stderr)
    if listing.warning:
        print(f"warning: {listing.warning}", file=sys.stderr)
    return 0


def cmd_models_info(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.core.fit import recommend_context
    from app.core.hardware import memory_budget
    from app.core.models import installed_path

    entry = _entry(ctx, args.id)
    row = _catalogue(ctx).listing(ctx.manifest).row(entry.id)
    if row is None:  # cannot happen: the listing is of the manifest `_entry` found it in
        raise ModelNotFoundError(f"unknown model {entry.id!r}")
    path = installed_path(entry, ctx.paths.models)
    fit = row.fit
    lines = [f"{entry.name} ({entry.id})", f"family: {entry.family}, {entry.parameters} parameters, {entry.quantization}",
             f"hub: {entry.repo or '-'}{'@' + entry.revision if entry.revision else ''}  files: {', '.join(entry.files)}",
             f"size: {entry.size:,} bytes" if entry.size else "size: from the hub at download time",
             f"sha256: {entry.sha256 or 'from the hub at download time'}",
             f"trained context: {entry.context_length:,} tokens; roles: {', '.join(entry.roles)}; "
             f"chat format: {entry.chat_format}; infill format: {entry.infill_format}",
             f"license: {entry.license or '?'}", f"state: {row.state.value}" + (f" at {path}" if path else "")]
    if fit:
        lines.append(f"fit: {fit.verdict} ({fit.detail})"
                     + ("; the quantization of this model recommended here" if row.best_quant else ""))
        ctx_rec = recommend_context(entry, memory_budget(ctx.settings.memory_limit_mb))
        lines.append(f"recommended context here: {ctx_rec:,} tokens" if ctx_rec else "recommended context: none fits")
    if row.speed is not None:
        lines.append(f"speed here: {row.speed.describe()}")
    if entry.note:
        lines.append(f"note: {entry.note}")
    if args.remote:
        check = _catalogue(ctx).check_remote(entry, _download_options(ctx, args))
        infill = f"yes ({check.infill_family.label})" if check.infill_family is not None else "no"
        lines.append(f"remote header: architecture {check.architecture} ({check.support_reason}), "
                     f"context {check.context_length or '?'}, chat template {'yes' if check.chat_template else 'no'}, "
                     f"infill tokens {infill}, {check.size:,} bytes, sha256 {check.sha256 or '?'}")
        if check.fit:
            lines.append(f"fit from the file's header: {check.fit.verdict} ({check.fit.detail})")
    # Names, notes and header values may come from a model file: made safe for the terminal.
    print("\n".join(terminal_safe(line) for line in lines))
    return 0


def _download_options(ctx: AppContext, args: argparse.Namespace):
    return ctx.download_options(getattr(args, "endpoint", None), getattr(args, "token", None))


def cmd_models_download(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.core.download import DownloadControl, download_model
    from app.core.models import installed_path

    entry = _entry(ctx, args.id)
    if entry.embedded_package or entry.local_path:
        print(f"{entry.id} is already on this machine", file=sys.stderr)
        return 0
    if installed_path(entry, ctx.paths.models):
        print(f"{entry.id} is already downloaded", file=sys.stderr)
        return 0
    control = DownloadControl()
    previous = signal.signal(signal.SIGINT, lambda *_: control.pause.set())
    bar = _ProgressBar(sys.stderr)
    try:
        for event in download_model(entry, ctx.paths.models, _download_options(ctx, args), control):
            bar.show(event)
    finally:
        signal.signal(signal.SIGINT, previous)
        bar.close()
    if control.pause.is_set():
        print(f"paused; run the same command again to resume {entry.id}", file=sys.stderr)
        return 130
    print(f"downloaded and verified {entry.id} into {ctx.paths.models / entry.id}", file=sys.stderr)
    return 0


class _ProgressBar:
    """One self-rewriting line on a terminal; plain lines every 10% when not a terminal."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_decile = -1
        self.width = 0

    def show(self, event: DownloadProgress) -> None:
        from app.core.download import DownloadState  # lazily, like every command's own imports

        if event.state is DownloadState.CHECKING:
            return  # instant; a line for it would only clutter error output
        if event.state.transferring and event.total:
            eta = event.eta_seconds
            eta_text = f" ETA {int(eta // 60)}:{int(eta % 60):02d}" if eta is not None else ""
            filled = int(event.fraction * 30)
            text = (f"{event.filename} [{'#' * filled}{'.' * (30 - filled)}] {event.fraction * 100:5.1f}% "
                    f"{_human(event.done)}/{_human(event.total)} {_human(event.speed)}/s{eta_text}")
            if event.state is not DownloadState.DOWNLOADING:
                text += f" ({event.state.value}{': ' + event.message if event.message else ''})"
        else:
            text = f"{event.filename}: {event.state.value}{' ' + event.message if event.message else ''}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            decile = int(event.fraction * 10)
            if decile != self.last_decile or event.state is not DownloadState.DOWNLOADING:
                self.last_decile = decile
                self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")


def cmd_models_remove(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = _entry(ctx, args.id)
    removal = _catalogue(ctx).remove(entry)
    if removal.forgotten:
        print(f"forgot imported model {entry.id} (the file {entry.local_path} was left in place)", file=sys.stderr)
    else:
        print(f"removed {entry.id}, freed {_human(removal.freed)}", file=sys.stderr)
    return 0


def cmd_models_import(ctx: AppContext, args: argparse.Namespace) -> int:
    from pathlib import Path

    entry = _catalogue(ctx).import_file(Path(args.path))
    print(entry.id)
    print(f"imported {args.path} as {entry.id}; use it with --model {entry.id}", file=sys.stderr)
    return 0

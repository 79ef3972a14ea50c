"""Screenshots of the Measure window after a real run on the embedded model, light then dark.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_measure.py docs/ [LIMIT]

The real app on the embedded SmolLM2: Tools > Measure models… is opened from the main window, the
one-time question is grabbed (docs/measure-consent.png) and answered yes, then HumanEval and both
infilling suites run on the first LIMIT problems (default 5) in the real sandbox, and the speed suite
(prompts of 512 and 4,096 tokens, generation, first token, peak memory). The window is grabbed
once the run has finished (docs/measure-light.png), the theme is switched live and it is grabbed again
(docs/measure-dark.png). Nothing shown is made up: the figures are what this machine measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _shot import isolated_home  # noqa: E402

isolated_home("cld-measure-shot-")


def main() -> int:
    from screenshot_theme import Steps

    from app.context import build_context
    from app.gui_main import launch

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out.mkdir(parents=True, exist_ok=True)
    build_context().update_settings(theme="light")
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    state: dict[str, object] = {"finished": None}

    def grab(name: str) -> None:
        path = out / name
        app.primaryScreen().grabWindow(0).save(str(path))
        print(f"saved {path}", flush=True)

    def open_measure() -> None:
        window.actions_by_name["measure"].trigger()
        measure = window.measure_window
        measure.move(20, 10)
        measure.resize(1240, 770)
        measure.control.run_finished.connect(lambda summaries: state.update(finished=summaries))
        for suite, box in measure.plan.suites.items():
            box.setChecked(True)  # every suite: HumanEval, both infillings, speed
        measure.plan.some_problems.setChecked(True)
        measure.plan.limit.setValue(limit)
        measure.start()

    def consent_open() -> bool:
        measure = window.measure_window
        return measure is not None and measure.consent is not None and measure.consent.isVisible()

    def agree() -> None:
        window.measure_window.consent.run_button.click()

    def report() -> None:
        for summary in state["finished"] or ():
            score = "-" if summary.score is None else f"{summary.score:.1%}"
            print(f"{summary.suite.value}: {score} ({summary.done} of {summary.total}, {summary.state.value})",
                  flush=True)

    steps = Steps(app, window, out)
    steps.then(lambda: window.inference.info is not None, open_measure)
    steps.then(consent_open, lambda: grab("measure-consent.png"))
    steps.then(lambda: True, agree)
    steps.then(lambda: state["finished"] is not None, report)
    steps.then(lambda: True, lambda: grab("measure-light.png"))
    steps.then(lambda: True, lambda: window.ctx.update_settings(theme="dark"))
    steps.then(lambda: True, lambda: grab("measure-dark.png"))
    steps.start()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())

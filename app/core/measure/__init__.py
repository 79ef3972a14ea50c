"""Measuring a model on this machine: HumanEval pass@1, infilling and speed (issue 15).

Qt-free. `runner.run_measure` is the one use case the CLI (`codellama-desktop measure`) and the
Measure window both call; `sandbox` runs model-written code, `results` keeps what was measured.
"""

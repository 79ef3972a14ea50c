"""The Measure window (issue 15): HumanEval pass@1, infilling and speed measured on this machine."""

"""Widgets only: they talk to the workers through signals and never block."""

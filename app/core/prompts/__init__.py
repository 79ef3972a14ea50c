"""Prompt construction, token-exact: chat formats now, infill formats later."""

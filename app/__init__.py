"""Code Llama Desktop: a local coding assistant on llama.cpp."""

__version__ = "0.1.0"

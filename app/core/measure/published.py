"""The Code Llama paper's published pass@1 figures, shown beside what was measured here.

Rozière et al., "Code Llama: Open Foundation Models for Code" (arXiv 2308.12950, v3), Table 2:
greedy pass@1, HumanEval zero-shot and MBPP 3-shot, on the original 16-bit weights. These are
never mixed with measured rows: a quantized GGUF on this machine is a different measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.i18n import translate

SOURCE = translate("core", "Code Llama paper (arXiv 2308.12950), Table 2")


@dataclass(frozen=True)
class PublishedRow:
    model: str
    size_b: int  # parameters, in billions
    humaneval: float  # pass@1 as a fraction
    mbpp: float
    source: str = SOURCE
    published: bool = True  # always: what the table shows as "published, not measured here"


PUBLISHED: tuple[PublishedRow, ...] = (
    PublishedRow("Code Llama", 7, 0.335, 0.414),
    PublishedRow("Code Llama", 13, 0.360, 0.470),
    PublishedRow("Code Llama", 34, 0.488, 0.550),
    PublishedRow("Code Llama", 70, 0.530, 0.624),
    PublishedRow("Code Llama - Instruct", 7, 0.348, 0.444),
    PublishedRow("Code Llama - Instruct", 13, 0.427, 0.494),
    PublishedRow("Code Llama - Instruct", 34, 0.415, 0.570),
    PublishedRow("Code Llama - Instruct", 70, 0.678, 0.622),
    PublishedRow("Code Llama - Python", 7, 0.384, 0.476),
    PublishedRow("Code Llama - Python", 13, 0.433, 0.490),
    PublishedRow("Code Llama - Python", 34, 0.537, 0.562),
    PublishedRow("Code Llama - Python", 70, 0.573, 0.656),
)

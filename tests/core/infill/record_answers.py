"""Record the embedded model's raw instruction-fill answers again into instruct_answers.json.

    .venv/bin/python -m tests.core.infill.record_answers

Each case keeps its file (prefix and suffix); only `raw` is replaced, by what SmolLM2 answers now to
the prompt the engine sends (instruction_messages), greedy. The answers are not exactly repeatable
across runs (llama.cpp's cached state changes the float sums), so after recording, read each one and
update EXPECTED in test_tidy.py by hand: the test's point is that a person checked the middle.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.engine import LoadOptions, LocalEngine
from app.core.infill.instruct import instruction_messages
from app.core.manifest import load_all
from app.core.models import embedded_model_path
from app.core.settings import SamplingSettings

FIXTURES = Path(__file__).with_name("instruct_answers.json")
SAMPLING = SamplingSettings(temperature=0.0, max_tokens=200, seed=7)


def main() -> None:
    data = json.loads(FIXTURES.read_text(encoding="utf-8"))
    path = embedded_model_path(load_all(None).embedded)
    engine = LocalEngine(path, chat_format="template", name="SmolLM2", options=LoadOptions(context_limit=2048))
    try:
        for case in data["cases"]:
            messages, _, _ = instruction_messages(case["prefix"], case["suffix"], case["language"], 1200,
                                                  engine.tokenizer.encode)
            case["raw"] = engine.chat(messages, SAMPLING).text()
            print(f"===== {case['name']}\n{case['raw']}\n")
    finally:
        engine.close()
    FIXTURES.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()

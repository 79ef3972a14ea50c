"""The scorer: HumanEval programs judged in the real sandbox. Canonical solutions score 100%, an
empty body 0%, wrong solutions fail; the infilling tasks' canonical middles pass; a chat answer's
code is found whether fenced or not, with the function's header restated or not."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.core.measure.completion import PromptStyle, as_body, candidate_program, extract_code
from app.core.measure.humaneval import PROBLEM_COUNT, Problem, load_problems, program
from app.core.measure.infill_tasks import infill_task
from app.core.measure.sandbox import Outcome, Sandbox


@pytest.fixture(scope="module")
def problems() -> tuple[Problem, ...]:
    return load_problems()


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox()


def _score(sandbox: Sandbox, programs: list[str]) -> list[Outcome]:
    with ThreadPoolExecutor(3) as pool:  # one process each: a few at a time keeps the run short
        return [v.outcome for v in pool.map(sandbox.run, programs)]


def test_the_package_ships_164_problems(problems: tuple[Problem, ...]) -> None:
    assert len(problems) == PROBLEM_COUNT
    assert [p.number for p in problems] == list(range(PROBLEM_COUNT))
    assert all(p.entry_point in p.prompt and "def check" in p.test for p in problems)


def test_canonical_solutions_score_100_percent(problems, sandbox) -> None:
    outcomes = _score(sandbox, [program(p, p.canonical_solution) for p in problems])
    failed = [p.task_id for p, o in zip(problems, outcomes) if o is not Outcome.PASSED]
    assert failed == []


def test_an_empty_body_scores_0_percent(problems, sandbox) -> None:
    outcomes = _score(sandbox, [program(p, "    pass\n") for p in problems])
    assert Outcome.PASSED not in outcomes


def test_known_wrong_solutions_fail(problems, sandbox) -> None:
    wrong = {
        0: "    return False\n",  # has_close_elements: half the answers
        2: "    return number\n",  # truncate_number: not truncated
        4: "    return 0.0\n",
        13: "    return a * b\n",  # greatest_common_divisor
        23: "    return len(string) + 1\n",  # strlen, off by one
        35: "    return min(l)\n",  # max_element
        53: "    return x - y\n",  # add
    }
    # A neighbour's canonical solution answers the wrong question too.
    swapped = {n: problems[n + 1].canonical_solution for n in range(100, 110)}
    cases = {**wrong, **swapped}
    outcomes = _score(sandbox, [program(problems[n], body) for n, body in cases.items()])
    assert Outcome.PASSED not in outcomes, dict(zip(cases, outcomes))


@pytest.mark.parametrize("multi_line", [False, True], ids=["single-line", "multi-line"])
def test_infill_tasks_with_their_canonical_middle_pass(problems, sandbox, multi_line: bool) -> None:
    tasks = [infill_task(p, multi_line) for p in problems]
    assert all(t.prefix + t.middle + t.suffix == t.problem.prompt + t.problem.canonical_solution for t in tasks)
    assert all(t.middle.strip() for t in tasks)  # never a blank gap
    if multi_line:
        assert sum("\n" in t.middle for t in tasks) > PROBLEM_COUNT // 2  # mostly real blocks of lines
    else:
        assert not any("\n" in t.middle for t in tasks)
    assert _score(sandbox, [t.program(t.middle) for t in tasks]) == [Outcome.PASSED] * PROBLEM_COUNT
    # And a gap left empty fails where the masked line mattered (most of them).
    empty = _score(sandbox, [t.program("") for t in tasks[:40]])
    assert empty.count(Outcome.PASSED) < 10


def test_the_masks_are_the_same_every_time(problems) -> None:
    first = [infill_task(p, True).middle for p in problems]
    assert first == [infill_task(p, True).middle for p in problems]
    assert first != [infill_task(p, False).middle for p in problems]


def test_chat_answers_are_judged_in_every_shape(problems, sandbox) -> None:
    p = problems[53]  # add(x, y)
    header = p.prompt[p.prompt.index("def add"):].split("\n")[0]
    shapes = {
        "fenced, header restated": f"Here it is:\n```python\n{header}\n    return x + y\n```\nIt adds.",
        "fenced, body only": "```python\n    return x + y\n```",
        "fenced, flush-left body": "```\nreturn x + y\n```",
        "unfenced function": f"{header}\n    return x + y\n",
        "unfenced flush-left body": "return x + y",
        "two blocks, the function second": f"```python\nprint(add(1, 2))\n```\n```python\n{header}\n    return x + y\n```",
        "with an import": f"```python\nimport math\n\n{header}\n    return int(math.fsum([x, y]))\n```",
    }
    programs = [candidate_program(p, PromptStyle.CHAT, answer) for answer in shapes.values()]
    assert dict(zip(shapes, _score(sandbox, programs))) == dict.fromkeys(shapes, Outcome.PASSED)
    wrong = candidate_program(p, PromptStyle.CHAT, f"```python\n{header}\n    return x - y\n```")
    assert sandbox.run(wrong).outcome is Outcome.FAILED


def test_a_helper_from_the_prompt_stays_available(problems, sandbox) -> None:
    p = problems[10]  # make_palindrome's prompt defines is_palindrome first
    body = p.canonical_solution
    answer = f"```python\ndef make_palindrome(string: str) -> str:\n{body}```"
    assert sandbox.run(candidate_program(p, PromptStyle.CHAT, answer)).outcome is Outcome.PASSED


def test_code_extraction() -> None:
    assert extract_code("```python\nx = 1\n```") == "x = 1"
    assert extract_code("no fence at all\n") == "no fence at all"
    assert extract_code("```py\na\n```\n```python\ndef f():\n    pass\n```") == "def f():\n    pass"
    assert extract_code("```python\ndef f():\n    return 1\n") == "def f():\n    return 1"  # cut off: no closing fence
    assert as_body("return 1\n") == "    return 1\n"
    assert as_body("") == "    pass\n"


def test_a_completion_is_the_body_after_the_prompt(problems, sandbox) -> None:
    p = problems[53]
    assert sandbox.run(candidate_program(p, PromptStyle.COMPLETION, "    return x + y\n")).passed
    assert not sandbox.run(candidate_program(p, PromptStyle.COMPLETION, "    return x * y\n")).passed

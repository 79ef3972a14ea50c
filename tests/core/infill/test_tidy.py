"""The instruction fill's answer made into a clean middle: real answers of the embedded model kept as
fixtures, hand-made hard cases, the streaming filter, and the real model end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.engine import LocalEngine
from app.core.infill.place import definition_name, is_import, locate, tight
from app.core.infill.tidy import TidyFilter, instruction_filters, tidy_middle
from app.core.settings import SamplingSettings

ANSWERS = json.loads((Path(__file__).parent / "instruct_answers.json").read_text(encoding="utf-8"))["cases"]

# What each real answer must come to, checked by reading the answer against its file.
EXPECTED = {
    # The class, __init__ (rewritten) and a new nested helper come first: only total_value's body stays.
    "python_method": '"""Returns the total value of all items."""\n        return self.items["total_value"]',
    # The imports and the function again, then a rewritten main(): only the body, at the body's depth.
    "python_function": "    return len([name for name, line in os.listdir(path) if not isinstance(line)]) + 1",
    # A rewrite under the wrong class (Shape) and an extra function after it: area's body only.
    "python_nested": "return 0.5 * math.pi * self.radius ** 2",
    # The whole file back with the marker in it: nothing new.
    "javascript_method": "",
    "javascript_function": "return numbers.reduce((acc, currentValue) => {\n    if (currentValue >= 0 && currentValue % 2 "
                           "=== 1)\n      acc += 1;\n    else\n      acc++;\n    return acc;\n  }, 0);",
    # `void reverse(char *s) {` for the file's brace on its own line: the body still found.
    "c_function": "char temp[10];\n    strncpy_r(temp, word + 2, sizeof(word)); // replace with your code here\n"
                  '    strncpy_r((*this), "Hello", 3); // remove the extra space from the end of the string',
    # A second copy of the struct (with methods in it): nothing of it belongs inside the if.
    "c_struct": "",
    "javascript_arrow": "const response = await fetch(`${API}/${path}`)\n      .then((response => {\n        return "
                        'response.json();\n      })\n      .catch((error => console.log("Error", error)));\n\n    return '
                        'Promise.resolve({\n      method: "POST",\n      body: JSON.stringify({\n        data: '
                        "`https://example.org/api${path}`\n      })\n    }).promisified();",
    "c_loop": "return (n + 1) * (sizeof(int) * n);",
    # No header restated: the include goes, the rest moves from column 0 to the body's depth.
    "c_function_no_header": "#define MAX_LEN 10   // max length of the string to be reversed\n    char word[MAX_LEN];\n"
                            "    word[MAX_LEN - 2] = '\\0';    /* no need for char */\n    printf(\"%.4s\", word);",
}


def _in_file(case: dict, middle: str) -> str:
    return case["prefix"] + middle + case["suffix"]


@pytest.mark.parametrize("case", ANSWERS, ids=[case["name"] for case in ANSWERS])
def test_real_answers_become_the_middle(case: dict) -> None:
    assert tidy_middle(case["raw"], case["prefix"], case["suffix"]).text == EXPECTED[case["name"]]


def test_every_fixture_has_an_expectation_and_all_three_languages_are_there() -> None:
    assert {case["name"] for case in ANSWERS} == set(EXPECTED)
    assert {case["language"] for case in ANSWERS} == {"Python", "JavaScript", "C"}


def _clean(answer: str, prefix: str, suffix: str = "\n", **kw) -> str:
    return tidy_middle(answer, prefix, suffix, **kw).text


ISSUE_PREFIX = ("import os\nfrom pathlib import Path\n\n\nclass Config:\n    def __init__(self, root):\n"
                "        self.root = Path(root)\n\n    def files(self):\n        ")
ISSUE_SUFFIX = "\n\n    def size(self):\n        return len(self.files())\n"


def test_restated_imports_and_a_second_copy_of_the_class_are_dropped() -> None:
    answer = ("Here is the code:\n```python\nimport os\nfrom pathlib import Path\n\nclass Config:\n"
              "    def __init__(self, root):\n        self.root = Path(root)\n\n    def files(self):\n"
              "        return [p for p in self.root.iterdir() if p.is_file()]\n\n    def size(self):\n"
              "        return len(self.files())\n```\nThis returns the files.")
    assert _clean(answer, ISSUE_PREFIX, ISSUE_SUFFIX) == "return [p for p in self.root.iterdir() if p.is_file()]"


def test_a_copy_of_the_class_without_the_method_goes_to_the_cursors_depth() -> None:
    answer = "import os\nclass Config:\n    found = []\n    for name in os.listdir(self.root):\n        found.append(name)\n"
    assert _clean(answer, ISSUE_PREFIX, ISSUE_SUFFIX) == ("found = []\n        for name in os.listdir(self.root):\n"
                                                          "            found.append(name)")


def test_a_copy_of_another_method_is_dropped_whole() -> None:
    answer = ("    def __init__(self, root):\n        self.root = root\n        self.cache = {}\n\n"
              "    def files(self):\n        return sorted(self.root.iterdir())\n")
    assert _clean(answer, ISSUE_PREFIX, ISSUE_SUFFIX) == "return sorted(self.root.iterdir())"
    # Without the method's header the copy of __init__ still goes, block and all.
    answer = "    def __init__(self, root):\n        self.cache = {}\n\n    return sorted(self.root.iterdir())\n"
    assert _clean(answer, ISSUE_PREFIX, ISSUE_SUFFIX) == "return sorted(self.root.iterdir())"


NESTED = ("class Outer:\n    class Inner:\n        def value(self):\n            ", "\n\n    def other(self):\n"
          "        return 1\n")


def test_nested_classes() -> None:
    prefix, suffix = NESTED
    answer = ("```python\nclass Outer:\n    class Inner:\n        def value(self):\n            return 42\n\n"
              "    def other(self):\n        return 1\n```")
    assert _clean(answer, prefix, suffix) == "return 42"
    # The method alone, at column 0: re-indented to where it sits in the file.
    assert _clean("def value(self):\n    x = 1\n    return x\n", prefix, suffix) == "x = 1\n            return x"
    # The inner class restated at a different depth than the file's.
    assert _clean("class Inner:\n  def value(self):\n    if self:\n      return 2\n", prefix, suffix) == \
        "if self:\n                return 2"


def test_tabs() -> None:
    prefix, suffix = "def f(x, y):\n\tif x:\n\t\t", "\n\treturn y\n"
    assert locate(prefix, suffix).unit == "\t"
    assert _clean("    if x:\n        z = 1\n        w = 2\n", prefix, suffix) == "z = 1\n\t\tw = 2"
    # Spaces of the answer become the file's tabs, deeper levels too.
    assert _clean("z = 1\nfor i in x:\n    z += i\n", prefix, suffix) == "z = 1\n\t\tfor i in x:\n\t\t\tz += i"


def test_a_suffix_that_starts_mid_line() -> None:
    prefix, suffix = "def run(a, b):\n    total = compute(", ")\n    print(total)\n"
    restated = "```python\ndef run(a, b):\n    total = compute(a, b)\n    print(total)\n```"
    assert _clean(restated, prefix, suffix) == "a, b"
    assert _clean("a, b)\n", prefix, suffix) == "a, b"
    assert _clean("a, b\nprint(total)\n", prefix, suffix) == "a, b"


def test_the_cursor_before_code_on_its_line_keeps_that_code_on_its_own_line() -> None:
    assert _clean("    y = 1\n    return x\n", "def f(x):\n    ", "return x\n") == "y = 1\n    "


def test_the_cursor_at_column_zero_gets_the_blocks_indentation() -> None:
    assert _clean("return 1\n", "def f():\n", "\n") == "    return 1"
    assert _clean("    x = 1\n    return x\n", "def f():\n    \"\"\"Doc.\"\"\"\n", "\n") == "    x = 1\n    return x"


def test_single_line() -> None:
    assert _clean("return a + b\nprint(add(1, 2))\n", "def add(a, b):\n    return ", "\n", single_line=True) == "a + b"


def test_restatements_at_the_start_only() -> None:
    assert _clean("def add(a, b):\n    return a + b\n", "def add(a, b):\n", "") == "    return a + b"
    assert _clean("x = 5\n", "def f():\n    x = ", "") == "5"
    assert _clean("b = 2\na = 1\n", "a = 1\n", "") == "b = 2\na = 1"
    assert _clean("    return 1\n    pass\n", "def f():\n    ", "") == "return 1\n    pass"
    assert _clean("    return a - b\n", "def sub(a, b):\n    return a + b\n", "") == "    return a - b"


def test_a_rewrite_of_the_file_keeps_only_the_new_code() -> None:
    prefix = '"""Helpers."""\nimport re\n\n\ndef is_palindrome(text):\n    """Same backwards."""\n    '
    suffix = "\n\n\ndef main() -> None:\n    print(is_palindrome('abba'))\n"
    answer = ('"""Helpers."""\nimport re\n\ndef is_palindrome(text):\n    """Same backwards"""\n'
              "    cleaned = re.sub('[^a-z]', '', text.lower())\n    return cleaned == cleaned[::-1]\n\n"
              "def main():\n    print(is_palindrome('abba'))\n")
    assert _clean(answer, prefix, suffix) == "cleaned = re.sub('[^a-z]', '', text.lower())\n    return cleaned == cleaned[::-1]"


def test_short_lines_are_not_taken_for_the_suffix() -> None:
    # `}` is too common to be recognised as the suffix's; it ends the middle by leaving its block.
    prefix, suffix = "void f(int x)\n{\n    if (x) {\n        ", "\n    }\n    else {\n"
    assert _clean("        x += 1;\n    }\n", prefix, suffix) == "x += 1;"
    assert _clean("        if (x > 2) {\n            x = 2;\n        }\n        x++;\n", prefix, suffix) == \
        "if (x > 2) {\n            x = 2;\n        }\n        x++;"


def test_blank_lines_inside_are_kept_trailing_ones_go() -> None:
    assert _clean("a = 1\n\n\nb = 2\n\n\n", "def f():\n    ", "\n") == "a = 1\n\n\n    b = 2"


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_the_streaming_filter_gives_the_same_middle(size: int) -> None:
    for case in ANSWERS:
        tidy = TidyFilter(case["prefix"], case["suffix"])
        raw = case["raw"]
        shown = "".join(tidy.feed(raw[i:i + size]) for i in range(0, len(raw), size) if not tidy.done)
        assert shown == ""  # nothing is shown before the answer is complete
        assert tidy.finish() == EXPECTED[case["name"]], case["name"]


def test_generation_stops_once_the_middle_is_complete() -> None:
    prefix, suffix = NESTED
    tidy = instruction_filters(prefix, suffix)[0]
    tidy.feed("```python\ndef value(self):\n    return 42\n")
    assert not tidy.done  # the body may go on
    tidy.feed("\ndef other(self):\n")
    assert tidy.done  # the answer reached a definition that follows the cursor
    assert tidy.feed("        return 2\n") == "" and tidy.finish() == "return 42"
    closed = instruction_filters("x = ", "\n")[0]
    closed.feed("```python\nx = 5\n```\n")
    assert closed.done and closed.finish() == "5"


def test_leaving_a_block_early_does_not_stop_before_the_cursors_header_comes() -> None:
    prefix, suffix = NESTED
    tidy = TidyFilter(prefix, suffix)
    for line in ("```python\n", "class Outer:\n", "    class Inner:\n", "            x = 1\n", "        y = 2\n",
                 "        def value(self):\n", "            return 42\n"):
        tidy.feed(line)
        assert not tidy.done, line
    assert tidy.finish() == "return 42"


def _is_clean(middle: str, prefix: str, suffix: str) -> list[str]:
    """What is wrong with `middle` in its file: the faults this clean-up exists to remove."""
    place = locate(prefix, suffix)
    faults = []
    lines = middle.split("\n")
    file_imports = {tight(line) for line in (prefix + suffix).split("\n") if is_import(line)}
    headers = {tight(scope.line) for scope in place.scopes}
    defined = {definition_name(line) for line in (prefix + suffix).split("\n")} - {""}
    for n, line in enumerate(lines):
        if is_import(line) and tight(line) in file_imports:
            faults.append(f"restated import: {line}")
        if tight(line) in headers:
            faults.append(f"restated header: {line}")
        if definition_name(line) in defined:
            faults.append(f"second copy of {definition_name(line)}")
        if n and line.strip() and not line.startswith(place.indent(place.level)):
            faults.append(f"shallower than the cursor: {line!r}")
    if place.before and not place.before.strip() and middle[:1].isspace():
        faults.append("indentation doubled on the cursor's line")
    return faults


@pytest.mark.model
@pytest.mark.parametrize("case", ANSWERS, ids=[case["name"] for case in ANSWERS])
def test_the_embedded_model_fills_realistic_files_cleanly(smollm2_engine: LocalEngine, case: dict) -> None:
    sampling = SamplingSettings(temperature=0.0, max_tokens=200, seed=7)
    generation = smollm2_engine.instruction_fill(case["prefix"], case["suffix"], case["language"], sampling)
    middle = generation.text()
    assert _is_clean(middle, case["prefix"], case["suffix"]) == []
    assert "```" not in middle and "<FILL_HERE>" not in middle
    assert generation.stats.stop_reason in ("end", "length")


def test_the_fault_finder_finds_what_an_unclean_middle_has() -> None:
    case = next(case for case in ANSWERS if case["name"] == "python_method")
    faults = _is_clean("import json\n    def total_value(self) -> float:\nreturn 1", case["prefix"], case["suffix"])
    assert len(faults) == 5  # the import, the header (a second copy, and shallow), the shallow line
    assert _is_clean(EXPECTED["python_method"], case["prefix"], case["suffix"]) == []


@pytest.mark.parametrize(("line", "name"), [
    ("def f(x):", "f"), ("    async def run(self) -> None:", "run"), ("class Config(Base):", "Config"),
    ("function sum(numbers) {", "sum"), ("  add(title) {", "add"), ("  async get(path) {", "get"),
    ("export default class App {", "App"), ("int main(void)", "main"), ("void reverse(char *s) {", "reverse"),
    ("struct stack {", "stack"), ("static int f(int a, int b) const {", "f"),
    ("print(x)", ""), ("    reverse(word);", ""), ("for (i = 0; i < n; i++) {", ""), ("} else if (x) {", ""),
    ('it("works", function () {', ""), ('app.post("/sum", (request, response) => {', ""), ("return f(x)", ""),
])
def test_what_counts_as_a_definition(line: str, name: str) -> None:
    assert definition_name(line) == name


def test_a_method_named_like_one_of_another_class_is_not_a_copy() -> None:
    prefix = ("class Point:\n    def __init__(self, x, y):\n        self.x = x\n\n    def __repr__(self):\n"
              "        return f'Point({self.x})'\n\n\nclass Circle:\n    ")
    suffix = "\n\ndef main():\n    print(Circle(1))\n"
    answer = ("```python\nclass Circle:\n    def __init__(self, radius):\n        self.radius = radius\n\n"
              "    def __repr__(self):\n        return f'Circle({self.radius})'\n```")
    assert _clean(answer, prefix, suffix) == ("def __init__(self, radius):\n        self.radius = radius\n\n"
                                              "    def __repr__(self):\n        return f'Circle({self.radius})'")
    # A copy of the file's own top-level class is still dropped whole.
    copy = "```python\nclass Point:\n    def __init__(self, x, y):\n        self.x = x\n```\n"
    assert _clean(copy, prefix, suffix) == ""

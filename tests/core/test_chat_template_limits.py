"""A model's chat template is code from the model file: it must not hang, flood memory or crash.

Every hostile case runs in a child process with a timeout, so a regression fails here instead of
hanging the suite (or taking the machine's memory with it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gguf import GGUFValueType

from app.core.errors import ModelFileError, PromptError
from app.core.prompts import template_sandbox
from app.core.prompts.chat import ChatMessage, build_chat_prompt
from tests.fixtures.tiny_gguf import with_metadata

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT_S = 60  # each case ends in well under a second when bounded

HOSTILE = {
    "nested-loops": ('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}',
                     "loop iterations"),
    "loops-over-a-string": ('{% set s = "ab" * 500000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
                            "loop iterations"),
    "string-times-constant": ('{{ "a" * 100000000000 }}', "with *"),
    "string-times-variable": ('{% set n = 100000000000 %}{{ "a" * n }}', "with *"),
    "list-times": ('{{ ([1] * 100000000000)|length }}', "with *"),
    "power": ('{{ 10 ** 100000000 }}', "power"),
    "power-variable": ('{% set e = 100000000 %}{{ 7 ** e }}', "power"),
    "center": ('{{ "a"|center(100000000000) }}', "center width"),
    "indent": ('{% set w = 100000000000 %}{{ "a\nb"|indent(w) }}', "indent width"),
    "wordwrap": ('{{ "a b"|wordwrap(100000000000) }}', "wordwrap width"),
    "truncate": ('{{ "a b"|truncate(100000000000) }}', "truncate length"),
    "format-filter": ('{{ "%100000000000d"|format(1) }}', "format width"),
    "format-filter-star": ('{{ "%*d"|format(100000000000, 1) }}', "format width"),
    "percent-operator": ('{% set f = "%100000000000d" %}{{ f % 1 }}', "format width"),
    "str-format": ('{{ "{:100000000000}".format(1) }}', "format width"),
    "str-format-nested": ('{{ "{:{}}".format(1, 100000000000) }}', "format width"),
    "ljust": ('{{ "a".ljust(100000000000) }}', "ljust width"),
    "slice": ('{{ [1]|slice(100000000000)|list }}', "slice slices"),
    "batch": ('{{ [1]|batch(100000000000)|list }}', "batch linecount"),
    "tojson-indent": ('{{ [[1]]|tojson(indent=100000000000) }}', "indent"),
    "doubling-concat": ('{% set ns = namespace(s="a") %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}'
                        '{% endfor %}{{ ns.s|length }}', "builds a value"),
    "doubling-plus": ('{% set ns = namespace(s="a") %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}'
                      '{% endfor %}{{ ns.s|length }}', "builds a value"),
    "big-output": ('{% for i in range(100000) %}{{ "a" * 1000 }}{% endfor %}', "writes more than"),
    "deep-recursion": ('{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}', "recurses"),
    "branching-recursion": ('{% macro f(n) %}{% if n < 40 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}'
                            '{{ f(0) }}', "iterations and calls"),
    "syntax-error": ("{% for %}", "syntax error"),
    "lipsum": ("{{ lipsum(100000000000) }}", "lipsum"),
}

_RENDER_CHILD = """
import json, sys
from app.core.errors import UserError
from app.core.prompts import template_sandbox
template = json.loads(sys.stdin.read())
try:
    template_sandbox.check_compile(template, "the model's chat template")
    template_sandbox.render(template, messages=[{"role": "user", "content": "hi"}], bos_token="<s>",
                            eos_token="</s>")
    print("RENDERED")
except UserError as exc:
    print(type(exc).__name__ + ": " + exc.message)
"""


def run_child(code: str, stdin: str = "") -> str:
    try:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=stdin, capture_output=True,
                                text=True, timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the child did not finish within {CHILD_TIMEOUT_S} s (the template hangs)")
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_template_is_stopped(case: str) -> None:
    template, reason = HOSTILE[case]
    out = run_child(_RENDER_CHILD, json.dumps(template))
    assert out.startswith("ModelFileError: the model's chat template"), out
    assert reason in out and "\n" not in out


_LOAD_CHILD = """
import sys
from pathlib import Path
from app.core.engine import LoadOptions, LocalEngine, VocabCounter
from app.core.errors import UserError
path = Path(sys.argv[1])
for load in (lambda: LocalEngine(path, options=LoadOptions(context_limit=512)), lambda: VocabCounter(path)):
    try:
        load().close()
        print("LOADED")
    except UserError as exc:
        print(type(exc).__name__ + ": " + exc.message)
"""


@pytest.mark.parametrize(("case", "vocab_only_refuses"), [
    ("string-times-constant", True),  # folded when llama-cpp-python compiles the template in Llama()
    ("center", True),
    ("syntax-error", True),
    ("nested-loops", False),  # runs only when rendered: the load renders a sample conversation
    ("doubling-concat", False),
])
def test_hostile_template_fails_at_load(case: str, vocab_only_refuses: bool, tiny_codellama: Path,
                                        tmp_path: Path) -> None:
    template, reason = HOSTILE[case]
    path = with_metadata(tiny_codellama, tmp_path / f"{case}.gguf",
                         {"tokenizer.chat_template": (GGUFValueType.STRING, template)})
    full, vocab = run_child(_LOAD_CHILD.replace("sys.argv[1]", repr(str(path)))).splitlines()
    assert full.startswith(f"ModelFileError: {path.name}: the model's chat template") and reason in full, full
    if vocab_only_refuses:
        assert vocab.startswith(f"ModelFileError: {path.name}:") and reason in vocab, vocab
    else:
        assert vocab == "LOADED"


def test_named_template_is_checked_too(tiny_codellama: Path, tmp_path: Path) -> None:
    """llama-cpp-python compiles `tokenizer.chat_template.<name>` as well, so it is checked at load."""
    path = with_metadata(tiny_codellama, tmp_path / "named.gguf", {
        "tokenizer.chat_template": (GGUFValueType.STRING, "{{ messages[0]['content'] }}"),
        "tokenizer.chat_template.tool_use": (GGUFValueType.STRING, '{{ "a" * 100000000000 }}')})
    out = run_child(_LOAD_CHILD.replace("sys.argv[1]", repr(str(path)))).splitlines()
    assert all("'tokenizer.chat_template.tool_use'" in line and "with *" in line for line in out), out


def test_syntax_error_is_a_model_file_error_when_chatting(codellama_template_tok) -> None:
    with pytest.raises(ModelFileError, match="syntax error"):
        build_chat_prompt("template", codellama_template_tok("{% for %}"), [ChatMessage("user", "hi")])


def test_refusal_is_a_prompt_error_and_the_model_still_loads(tiny_codellama: Path, tmp_path: Path) -> None:
    """A template that refuses some conversations (no system role) is not a bad model."""
    from app.core.engine import LoadOptions, LocalEngine

    template = ("{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}"
                "{% endif %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}")
    path = with_metadata(tiny_codellama, tmp_path / "refuses.gguf",
                         {"tokenizer.chat_template": (GGUFValueType.STRING, template)})
    engine = LocalEngine(path, options=LoadOptions(context_limit=512))
    try:
        with pytest.raises(PromptError, match="refused this conversation: no system role"):
            engine.build_prompt([ChatMessage("system", "s"), ChatMessage("user", "hi")])
        assert engine.build_prompt([ChatMessage("user", "hi")]).tokens
    finally:
        engine.close()


@pytest.fixture
def codellama_template_tok(tiny_codellama: Path):
    from app.core.engine import LoadOptions, LocalEngine

    engine = LocalEngine(tiny_codellama, chat_format="codellama-instruct", options=LoadOptions(context_limit=512))

    class WithTemplate:
        def __init__(self, template: str) -> None:
            self._template = template

        def __getattr__(self, name: str):
            return getattr(engine.tokenizer, name)

        def chat_template(self) -> str:
            return self._template

    yield WithTemplate
    engine.close()


# Ordinary templates of the shapes real models use: rendered exactly as llama-cpp-python renders them.
ORDINARY = {
    "chatml": ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
               "{{ '<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n' }}{% endif %}"
               "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
               "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"),
    "namespace-and-json": ("{%- set ns = namespace(sys='', n=0) -%}\n{%- for m in messages -%}\n"
                           "  {%- if m.role == 'system' %}{% set ns.sys = m.content %}{% endif -%}\n"
                           "  {%- set ns.n = ns.n + 1 -%}\n{%- endfor -%}\n"
                           "{{ bos_token }}{{ ns.sys|trim }}\n{% for m in messages if m.role != 'system' %}"
                           "### {{ m.role|capitalize }} ({{ loop.index }}/{{ loop.length }})\n"
                           "{{ m.content|indent(2) }}\n{{ {'r': m.role}|tojson }}\n{% endfor %}"
                           "{{ '%s-%d'|format('n', ns.n) }} {{ '{:>4}'.format(ns.n) }} {{ '-' * 3 }} "
                           "{{ 2 ** 10 }} {{ tools is none }}{% if add_generation_prompt %}### Assistant\n"
                           "{% endif %}{{ eos_token if false }}"),
    "llama3-like": ("{% set loop_messages = messages %}{% for message in loop_messages %}"
                    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
                    "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
                    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
                    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
                    "{% endif %}"),
    "recursive-and-macro": ("{% macro show(m) %}<{{ m.role }}>{{ m.content|center(9) }}{% endmacro %}"
                            "{% for m in messages %}{{ show(m) }}{% if not loop.last %}, {% endif %}"
                            "{% generation %}{{ m.content|wordwrap(5)|truncate(20) }}{% endgeneration %}"
                            "{% if loop.index > 3 %}{% break %}{% endif %}{% endfor %}"
                            "{% for i in range(3) %}{{ i }}{% endfor %}{{ messages|map(attribute='role')|join('|') }}"),
}

DIALOG = [{"role": "system", "content": "  Be brief.  "}, {"role": "user", "content": "Write a\nfunction"},
          {"role": "assistant", "content": "def f(): pass"}, {"role": "user", "content": "again %d {}"}]


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_templates_render_as_llama_cpp_does(name: str) -> None:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = ORDINARY[name]
    for add in (True, False):
        reference = Jinja2ChatFormatter(template=template, eos_token="</s>", bos_token="<s>",
                                        add_generation_prompt=add)(messages=DIALOG).prompt
        ours = template_sandbox.render(template, messages=DIALOG, bos_token="<s>", eos_token="</s>",
                                       add_generation_prompt=add)
        assert ours == reference


def test_embedded_model_template_renders_as_llama_cpp_does(smollm2_path: Path) -> None:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from app.core.gguf_info import read_gguf_info

    template = read_gguf_info(smollm2_path).metadata["tokenizer.chat_template"]
    reference = Jinja2ChatFormatter(template=template, eos_token="<|im_end|>", bos_token="<|im_start|>")
    ours = template_sandbox.render(template, messages=DIALOG, bos_token="<|im_start|>", eos_token="<|im_end|>")
    assert ours == reference(messages=DIALOG).prompt

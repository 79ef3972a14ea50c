"""Render a model's chat template (Jinja2 text from the GGUF file) within bounds of time and memory.

A chat template is code written by whoever made the model file. jinja2's sandbox stops it from
reaching Python internals, but not from running forever (nested loops), from asking for a
100 GB string (`"a" * 10**11`, `center(10**11)`, `"%*d" % (10**11, 1)`), from doubling a
string until memory runs out or from recursing without end through macros. Here every way a
template can multiply its work is metered: one render gets a budget of steps (loop iterations and
calls) and of characters built, each operation that amplifies its input (`*`, `**`, widths of
filters, string methods and format specs) is checked before it runs, and the output is streamed
and cut at a size no prompt reaches. Every failure is a ModelFileError with one line saying what
the template tried.

The environment is set up as llama-cpp-python's Jinja2ChatFormatter sets up its own (same
sandbox class, trim_blocks/lstrip_blocks, extensions, tojson and globals), so ordinary templates
render byte for byte as they do there.

llama-cpp-python also compiles every template of a model when it loads it, and Jinja2 folds
constant expressions at compile time, so `{{ "a" * 10**11 }}` would hang inside `Llama()` before
any render: `check_compile` folds those expressions first, with the same bounds.
"""

from __future__ import annotations

import functools
import inspect
import operator
import re
import string
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

import jinja2
import jinja2.ext
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext, Impossible
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import _PassArg

from app.core.errors import ModelFileError, PromptError
from app.core.i18n import translate

MAX_ITEMS = 1_000_000  # characters of a string or items of a list that one `*` or width may build
MAX_JOINED = 4_000_000  # characters or items one `+` or `~` may build
MAX_STEPS = 1_000_000  # loop iterations and calls in one render
MAX_WORK = 64_000_000  # characters and items built in one render, all operations together
MAX_OUTPUT = 4_000_000  # characters of rendered prompt (about a million tokens: more than any context)
MAX_INT_BITS = 100_000  # integers beyond this come only from a template computing for its own sake
MAX_JSON_INDENT = 1_000
MAX_LIPSUM = 1_000

# Filter parameters that set how much a filter builds (center, indent, wordwrap, truncate, slice, batch).
_SIZE_PARAMS = frozenset({"width", "length", "slices", "linecount"})
_PASS_ARG_NAMES = frozenset({"eval_ctx", "environment", "env", "context", "ctx"})
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateLimit(Exception):
    """The template went past one of the bounds; the message says which, in a few words."""


@dataclass
class _Budget:
    steps: int = MAX_STEPS
    work: int = MAX_WORK


_budget: ContextVar[_Budget | None] = ContextVar("chat_template_budget", default=None)


def _step() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.steps -= 1
        if budget.steps < 0:
            raise TemplateLimit(translate(
                "core", "runs more than {most:,} loop iterations and calls").format(most=MAX_STEPS))


def _work(amount: int) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.work -= amount
        if budget.work < 0:
            raise TemplateLimit(translate(
                "core", "builds more than {most:,} characters in one rendering").format(most=MAX_WORK))


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else 0


def _charged(value: Any, cap: int | None = None) -> Any:
    size = _size(value)
    if cap is not None and size > cap:
        raise TemplateLimit(translate("core", "builds a value of {size:,} characters or items").format(size=size))
    _work(size)
    return value


def _check_width(value: Any, what: str) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and value > MAX_ITEMS:
        raise TemplateLimit(translate("core", "asks for a {what} of {value:,}").format(what=what, value=value))
    if isinstance(value, str) and len(value) > MAX_ITEMS:
        raise TemplateLimit(translate("core", "asks for a {what} of {count:,} characters").format(what=what, count=len(value)))


def _check_number(text: str, what: str) -> None:
    if len(text) > 7 or int(text) > MAX_ITEMS:
        raise TemplateLimit(translate(
            "core", "asks for a {what} of {text}").format(what=what, text=text[:12] + ("…" if len(text) > 12 else "")))


def _check_printf(fmt: str, args: Any) -> None:
    """`fmt % args` (the % operator and the format filter): no width or precision past the bound."""
    star = False
    for match in _PRINTF.finditer(fmt):
        for group in match.groups():
            if group == "*":
                star = True
            elif group:
                _check_number(group, "format width")
    if star:
        values = args if isinstance(args, tuple) else (args,)
        for value in values:
            _check_width(value, "format width")


def _check_format_spec(fmt: str, args: Iterable[Any]) -> None:
    """`fmt.format(...)`: widths written in the spec, or given as arguments when nested (`{:{w}}`)."""
    nested = False
    for _text, _field, spec, _conversion in string.Formatter().parse(fmt):
        if not spec:
            continue
        nested = nested or "{" in spec
        for number in re.findall(r"\d+", spec):
            _check_number(number, "format width")
    if nested:
        for value in args:
            _check_width(value, "format width")


def _mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, (str, list, tuple)):
        left, right = right, left
    if isinstance(left, (str, list, tuple)) and isinstance(right, int) and not isinstance(right, bool):
        size = len(left) * max(right, 0)
        if size > MAX_ITEMS:
            raise TemplateLimit(translate("core", "builds a value of {size:,} characters or items with *").format(size=size))
        _work(size)
    elif isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(translate("core", "multiplies integers of more than 100,000 bits"))
    return left * right


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 1 and abs(base) > 1:
        if exponent > MAX_INT_BITS or exponent * base.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(translate("core", "raises a number to the power {exponent:,}").format(exponent=exponent))
    return base**exponent


def _add(left: Any, right: Any) -> Any:
    return _charged(left + right, MAX_JOINED)


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_printf(left, right)
        return _charged(left % right, MAX_JOINED)
    return left % right


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {"*": _mul, "**": _pow, "+": _add, "%": _mod}
_PLAIN_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "-": operator.sub, "/": operator.truediv, "//": operator.floordiv,
}
_STR_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def _check_str_method(method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Built-in string methods whose result can be far larger than the string they are called on."""
    self = getattr(method, "__self__", None)
    if not isinstance(self, str):
        return
    name = getattr(method, "__name__", "")
    values = [*args, *(v for k, v in kwargs.items() if k not in ("_loop_vars", "_block_vars"))]
    if name in _STR_WIDTH_METHODS and values:
        _check_width(values[0], f"{name} width")
    elif name == "expandtabs" and values and isinstance(values[0], int):
        if (self.count("\t") + 1) * values[0] > MAX_ITEMS:
            raise TemplateLimit(translate("core", "expands tabs past the size bound"))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        count = self.count(old) if old else len(self) + 1
        if len(self) + count * max(0, len(new) - len(old)) > MAX_JOINED:
            raise TemplateLimit(translate("core", "replaces text into a value past the size bound"))
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        items = args[0]
        total = sum(len(x) for x in items if isinstance(x, str)) + len(self) * max(0, len(items) - 1)
        if total > MAX_JOINED:
            raise TemplateLimit(translate("core", "joins a value past the size bound"))


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    try:
        signature: inspect.Signature | None = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None
    # A filter with an async variant reports its sync signature, but the wrapper Jinja2 calls also
    # takes the eval context first when the sync filter does not.
    first = next(iter(signature.parameters), "") if signature is not None else ""
    skip = int(_PassArg.from_obj(func) is not None and first not in _PASS_ARG_NAMES)

    @functools.wraps(func)  # keeps jinja_pass_arg, which the compiler reads
    def bounded(*args: Any, **kwargs: Any) -> Any:
        bound = None
        if signature is not None:
            try:
                bound = signature.bind(*args[skip:], **kwargs).arguments
            except TypeError:
                bound = None  # the filter itself raises the right error below
        if bound is not None:
            for param in _SIZE_PARAMS & bound.keys():
                _check_width(bound[param], f"{name} {param}")
            if name == "indent" and isinstance(bound.get("s"), str):
                width = bound.get("width", 4)
                per_line = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
                if (bound["s"].count("\n") + 1) * per_line > MAX_ITEMS:
                    raise TemplateLimit(translate("core", "indents past the size bound"))
            if name == "tojson":
                indent = bound.get("indent")
                if isinstance(indent, (int, str)) and not isinstance(indent, bool):
                    if (len(indent) if isinstance(indent, str) else indent) > MAX_JSON_INDENT:
                        raise TemplateLimit(translate("core", "asks tojson for an indent past the bound"))
            if name == "format" and isinstance(bound.get("value"), str):
                values = bound.get("args") or tuple((bound.get("kwargs") or {}).values())
                _check_printf(bound["value"], tuple(values))
            if name == "replace" and all(isinstance(bound.get(k), str) for k in ("s", "old", "new")):
                _check_str_method(bound["s"].replace, (bound["old"], bound["new"]), {})
        return _charged(func(*args, **kwargs), MAX_JOINED)

    return bounded


def _raise_exception(message: str) -> None:
    raise ValueError(message)  # as llama-cpp-python's formatter does


def _bounded_range(*args: int) -> range:
    from jinja2.sandbox import safe_range

    result = safe_range(*args)
    _work(len(result))
    return result


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    from jinja2.utils import generate_lorem_ipsum

    if any(isinstance(v, int) and v > MAX_LIPSUM for v in (n, min, max)):
        raise TemplateLimit(translate("core", "asks lipsum for too many words"))
    return generate_lorem_ipsum(n, html, min, max)


def _bounded_strftime_now(fmt: str) -> str:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    for number in re.findall(r"%[-_0^#]*(\d+)", str(fmt)):
        _check_number(number, "date format width")
    return Jinja2ChatFormatter.strftime_now(fmt)


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles every for loop over a metered iterable and every `~` through a size check."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not getattr(node, "_bounded", False):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None,
                                   lineno=node.lineno)
            node._bounded = True  # type: ignore[attr-defined]
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_join(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedTemplateEnvironment(ImmutableSandboxedEnvironment):
    """llama-cpp-python's chat-template environment, with every amplifying operation metered."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        super().__init__(
            loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True,
            extensions=[Jinja2ChatFormatter.IgnoreGenerationTags, jinja2.ext.loopcontrols],
        )
        self.filters["tojson"] = Jinja2ChatFormatter.tojson
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals["range"] = _bounded_range
        self.globals["lipsum"] = _bounded_lipsum

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _BINOPS[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _step()
        _check_str_method(__obj, args, kwargs)
        return _charged(super().call(__context, __obj, *args, **kwargs), MAX_JOINED)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if value.__name__ == "format_map" and args else kwargs
            values = [*args, *(mapping.values() if isinstance(mapping, Mapping) else ())]
            _check_format_spec(fmt, values)
            return _charged(wrapper(*args, **kwargs), MAX_JOINED)

        return checked

    @staticmethod
    def bounded_iter(iterable: Any) -> Iterator[Any]:
        for item in iterable:
            _step()
            yield item

    @staticmethod
    def bounded_join(value: Any) -> Any:
        return _charged(value, MAX_JOINED)


_ENV: BoundedTemplateEnvironment | None = None


def _env() -> BoundedTemplateEnvironment:
    global _ENV
    if _ENV is None:
        _ENV = BoundedTemplateEnvironment()
    return _ENV


def _one_line(text: object) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= 200 else line[:199] + "…"


def _compile_error(exc: BaseException, where: str) -> ModelFileError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return ModelFileError(translate(
            "core", "{where} has a syntax error (line {lineno}: {detail})"
        ).format(where=where, lineno=exc.lineno, detail=_one_line(exc.message)))
    if isinstance(exc, TemplateLimit):
        return ModelFileError(translate("core", "{where} is refused: it {reason}").format(where=where, reason=exc.args[0]))
    if isinstance(exc, RecursionError):
        return ModelFileError(translate("core", "{where} is nested too deeply to read").format(where=where))
    if isinstance(exc, MemoryError):
        return ModelFileError(translate("core", "{where} needs too much memory").format(where=where))
    return ModelFileError(translate(
        "core", "{where} cannot be read ({kind}: {detail})"
    ).format(where=where, kind=exc.__class__.__name__, detail=_one_line(exc)))


@functools.lru_cache(maxsize=8)
def _compiled(template: str) -> jinja2.Template:
    return _env().from_string(template)


def compile_template(template: str, where: str | None = None) -> jinja2.Template:
    """The compiled template; ModelFileError for a syntax error or a constant that breaks a bound."""
    try:
        return _compiled(template)
    except (jinja2.TemplateError, TemplateLimit, RecursionError, MemoryError, ValueError, TypeError) as exc:
        raise _compile_error(exc, where or translate("core", "the model's chat template")) from None


def render(template: str, *, messages: list[dict[str, Any]], bos_token: str, eos_token: str,
           add_generation_prompt: bool = True) -> str:
    """The template rendered with llama-cpp-python's variables, within the bounds above.

    Raises:
        ModelFileError: the template is broken or went past a bound (its author's fault).
        PromptError: the template refused this conversation (raise_exception, or an error on it).
    """
    where = translate("core", "the model's chat template")  # the subject of the messages below
    compiled = compile_template(template, where)
    token = _budget.set(_Budget())
    try:
        parts: list[str] = []
        total = 0
        for part in compiled.generate(
            messages=messages, eos_token=eos_token, bos_token=bos_token, raise_exception=_raise_exception,
            add_generation_prompt=add_generation_prompt, functions=None, function_call=None, tools=None,
            tool_choice=None, strftime_now=_bounded_strftime_now,
        ):
            total += len(part)
            if total > MAX_OUTPUT:
                raise TemplateLimit(translate(
                    "core", "writes more than {most:,} characters").format(most=MAX_OUTPUT))
            parts.append(part)
        return "".join(parts)
    except TemplateLimit as exc:
        raise ModelFileError(translate("core", "{where} was stopped: it {reason}").format(
            where=where, reason=exc.args[0])) from None
    except RecursionError:
        raise ModelFileError(translate("core", "{where} was stopped: it recurses too deeply").format(where=where)) from None
    except MemoryError:
        raise ModelFileError(translate("core", "{where} was stopped: it needs too much memory").format(where=where)) from None
    except SecurityError as exc:
        raise ModelFileError(translate(
            "core", "{where} was stopped: it tried an unsafe operation ({detail})"
        ).format(where=where, detail=_one_line(exc))) from None
    except Exception as exc:  # a template may raise on roles or orders it does not accept
        raise PromptError(translate(
            "core", "The model's chat template refused this conversation: {detail}").format(detail=_one_line(exc))) from None
    finally:
        _budget.reset(token)


def _fold(node: nodes.Node, ctx: EvalContext) -> Any:
    """A constant expression's value, computed with the bounds above (Impossible when not constant).

    Covers what Jinja2's optimizer folds at compile time whose evaluation can be large: operators,
    `~`, filters and tests with constant arguments; other nodes only carry their operands' values.
    """
    env = _env()
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.TemplateData):
        return node.data
    if isinstance(node, (nodes.Tuple, nodes.List)):
        items = [_fold(x, ctx) for x in node.items]
        return tuple(items) if isinstance(node, nodes.Tuple) else items
    if isinstance(node, nodes.Dict):
        return {_fold(p.key, ctx): _fold(p.value, ctx) for p in node.items}
    if isinstance(node, nodes.BinExpr):
        left, right = _fold(node.left, ctx), _fold(node.right, ctx)
        func = _BINOPS.get(node.operator) or _PLAIN_BINOPS.get(node.operator)
        if func is None:
            raise Impossible()
        return func(left, right)
    if isinstance(node, nodes.Concat):
        return _charged("".join(str(_fold(x, ctx)) for x in node.nodes), MAX_JOINED)
    if isinstance(node, nodes.CondExpr):
        if _fold(node.test, ctx):
            return _fold(node.expr1, ctx)
        if node.expr2 is None:
            raise Impossible()
        return _fold(node.expr2, ctx)
    if isinstance(node, nodes.Getattr):
        return env.getattr(_fold(node.node, ctx), node.attr)
    if isinstance(node, nodes.Getitem):
        return env.getitem(_fold(node.node, ctx), _fold(node.arg, ctx))
    if isinstance(node, (nodes.Filter, nodes.Test)):
        func = (env.filters if isinstance(node, nodes.Filter) else env.tests).get(node.name)
        if func is None or node.node is None or node.dyn_args is not None or node.dyn_kwargs is not None:
            raise Impossible()
        args = [_fold(node.node, ctx), *(_fold(a, ctx) for a in node.args)]
        kwargs = {kw.key: _fold(kw.value, ctx) for kw in node.kwargs}
        pass_arg = _PassArg.from_obj(func)
        if pass_arg is _PassArg.context:
            raise Impossible()
        if pass_arg is _PassArg.eval_context:
            args.insert(0, ctx)
        elif pass_arg is _PassArg.environment:
            args.insert(0, env)
        return func(*args, **kwargs)
    raise Impossible()


def check_compile(template: str, where: str) -> None:
    """Refuse a template that a plain Jinja2 environment (llama-cpp-python's, at model load) would
    choke on while compiling: a syntax error, or a constant expression past the bounds."""
    env = _env()
    try:
        tree = env.parse(template)
    except (jinja2.TemplateError, RecursionError, MemoryError, ValueError, TypeError) as exc:
        raise _compile_error(exc, where) from None
    ctx = EvalContext(env)
    for node in tree.find_all(nodes.Expr):
        try:
            _fold(node, ctx)
        except (TemplateLimit, RecursionError, MemoryError) as exc:
            raise _compile_error(exc, where) from None
        except Exception:  # noqa: BLE001 - not a constant, or an error Jinja2 also leaves to render time
            continue
    compile_template(template, where)

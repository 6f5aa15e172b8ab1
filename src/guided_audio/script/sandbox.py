"""The bounds of what a template may compute: sizes of strings and sequences, and render time.

Jinja's sandbox stops a template reaching outside it, but not from asking for `'x' * 10**9`,
`'%0999999999d' % 1`, `'x'.center(10**9)` or nested `range(100000)` loops: each hangs the
command (or a cluster worker) and eats memory. A script is a few tens of kilobytes; these
limits are a thousand times that, so no real template comes near them. Operations that would
build something bigger are refused before they run (they run in C and cannot be stopped
midway); anything else that runs too long is stopped by the render's deadline.
"""

from __future__ import annotations

import ctypes
import math
import re
import string
import threading
from typing import Any, Callable

from jinja2.compiler import CodeGenerator
from jinja2.runtime import str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

MAX_SIZE = 1_000_000
"""Characters in a string, items in a list a template may build."""
MAX_WIDTH = 10_000
"""A width or precision in a format (`'%5d'`, `'{:>5}'`, `center(5)`, `indent(5)`)."""
MAX_INT_BITS = 100_000
"""About 30,000 digits: more than any count of seconds needs."""
RENDER_SECONDS = 5.0
"""One render of a template takes milliseconds; the slowest built-in, at 90 minutes, well under one."""
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


class TemplateLimit(Exception):
    """The template asked for more than a script could ever need."""


class RenderTimeout(BaseException):
    """Raised in the rendering thread when its deadline passes (a BaseException, so no
    `except Exception` in a helper the template calls can swallow it)."""


def _too_big(what: str, size: float, limit: int = MAX_SIZE) -> None:
    if size > limit:
        raise TemplateLimit(f"{what} of {size:,.0f} is over a template's limit of {limit:,}; a script never needs so much")


def _check_width(width: Any, what: str = "a width") -> None:
    if isinstance(width, int) and not isinstance(width, bool):
        _too_big(what, abs(width), MAX_WIDTH)


def _check_percent(fmt: str) -> None:
    for match in _PERCENT_SPEC.finditer(fmt):
        for part in match.groups():
            if part == "*":
                raise TemplateLimit("a '*' width in a % format is not allowed in a template; write the width out")
            if part:
                _check_width(int(part))


def _check_format(fmt: str) -> None:
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format will say what is wrong
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimit("a width taken from a value ('{:{}}') is not allowed in a template; write it out")
        for digits in re.findall(r"\d+", spec):
            _check_width(int(digits))


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _checked_binop(name: str, left: Any, right: Any) -> None:
    if name == "*":
        sizes = (_size(left), _size(right))
        counts = (right, left)
        for size, count in zip(sizes, counts):
            if size is not None and isinstance(count, int):
                _too_big("a repeated string or list", size * max(count, 0))
        if all(isinstance(v, int) for v in (left, right)):
            _too_big("a number's size in bits", abs(left).bit_length() + abs(right).bit_length(), MAX_INT_BITS)
    elif name == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            _too_big("a number's size in bits", right * math.log2(abs(left)), MAX_INT_BITS)
    elif name == "+":
        if _size(left) is not None and _size(right) is not None:
            _too_big("a joined string or list", len(left) + len(right))
    elif name == "%" and isinstance(left, str):
        _check_percent(left)


def _checked_call(function: Any, args: tuple, kwargs: dict) -> None:
    """Calls that can build something huge in one step of C: checked before they run."""
    owner, name = getattr(function, "__self__", None), getattr(function, "__name__", "")
    if function is generate_lorem_ipsum:
        _too_big("paragraphs of lorem ipsum", args[0] if args and isinstance(args[0], int) else 5, 100)
    if not isinstance(owner, str):
        if isinstance(owner, list) and name in ("extend", "__iadd__"):
            _too_big("a list", len(owner) + sum(len(a) for a in args if hasattr(a, "__len__")))
        return
    if name in ("center", "ljust", "rjust", "zfill"):
        _check_width(args[0] if args else kwargs.get("width"))
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        _check_width(size, "a tab size")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        grows = max(len(args[1]) - len(args[0]), 0)
        _too_big("a replaced string", len(owner) + (owner.count(args[0]) if args[0] else len(owner) + 1) * grows)
    elif name == "join" and args:
        _check_join(owner, args[0])
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _too_big("a translated string", len(owner) * max(longest, 1))


def _check_join(separator: str, items: Any) -> None:
    if isinstance(items, (list, tuple)):
        total = sum(len(item) if isinstance(item, str) else 20 for item in items)
        _too_big("a joined string", total + len(separator) * max(len(items) - 1, 0))


class _BoundedCode(CodeGenerator):
    """Compiles `a ~ b` (which Jinja's sandbox does not intercept) to a size-checked join."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.bounded_concat((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, with the size limits above on operators, methods, formats and filters."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCode

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, position in (("center", 1), ("indent", 1)):
            self.filters[name] = _width_checked(self.filters[name], position)
        self.filters["format"] = _format_checked(self.filters["format"])
        self.filters["join"] = _join_checked(self.filters["join"])

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        _checked_binop(operator_name, left, right)
        return super().call_binop(context, operator_name, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's names)
        _checked_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    @staticmethod
    def bounded_concat(parts: tuple) -> str:
        texts = [str(part) for part in parts]
        _too_big("a joined string", sum(map(len, texts)))
        return str_join(texts)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def _width_checked(jinja_filter: Callable, position: int) -> Callable:
    def checked(*args: Any, **kwargs: Any) -> Any:
        width = args[position] if len(args) > position else kwargs.get("width")
        _check_width(width)
        if isinstance(width, str):
            _too_big("an indent", len(width), MAX_WIDTH)
        return jinja_filter(*args, **kwargs)

    checked.__dict__.update(jinja_filter.__dict__)  # keep Jinja's pass_context/pass_environment marks
    return checked


def _format_checked(jinja_filter: Callable) -> Callable:
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            _check_percent(value)
        return jinja_filter(value, *args, **kwargs)

    checked.__dict__.update(jinja_filter.__dict__)
    return checked


def _join_checked(jinja_filter: Callable) -> Callable:
    def checked(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        if isinstance(value, (list, tuple)) and isinstance(d, str) and attribute is None:
            _check_join(d, value)
        return jinja_filter(eval_ctx, value, d, attribute)

    checked.__dict__.update(jinja_filter.__dict__)
    return checked


def render_bounded(template: Any, context: dict[str, Any]) -> str:
    """Render a compiled Jinja template, stopping it (at the line it is on) once the script it
    writes passes MAX_SIZE: a loop that only writes text is caught before memory runs out."""
    parts, size = [], 0
    stream = template.generate(context)
    for chunk in stream:
        size += len(chunk)
        if size > MAX_SIZE:
            limit = TemplateLimit(f"the script it writes passes {MAX_SIZE:,} characters; a script never needs so much")
            stream.throw(limit)  # raised where the template is, so the error names its line
        parts.append(chunk)
    return "".join(parts)


def with_deadline(render: Callable[..., str], *args: Any, seconds: float | None = None) -> str:
    """`render(*args)`, stopped with RenderTimeout if it runs past `seconds`.

    A timer thread raises the exception inside the rendering thread (any thread: a Dask
    worker renders in one of its own), where the template's loops run as Python code.
    """
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(RenderTimeout))

    timer = threading.Timer(seconds or RENDER_SECONDS, expire)
    timer.daemon = True
    timer.start()
    try:
        return render(*args)
    finally:
        with lock:
            state["done"] = True
        timer.cancel()



"""E-mail templates: the built-in ones (files in `templates/`) and merchants' own, rendered in a
sandboxed Jinja environment per language.

Merchant templates are untrusted input: they run in `ImmutableSandboxedEnvironment` (no access
to private or internal attributes, no mutation of the context), and an unknown variable renders
as nothing instead of failing the e-mail (`LenientUndefined`). Saving one checks its syntax and
renders it once with a sample context, so that an error is reported with its line on save
rather than at send time.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, FileSystemLoader, Template, TemplateSyntaxError, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from retour.domain.errors import InvalidRequest
from retour.notifications.formatting import format_day, format_moment, format_money
from retour.notifications.labels import LOCALES

TEMPLATE_DIRECTORY = Path(__file__).parent / "templates"
#: The parts of an e-mail a template has, and the file each built-in one lives in.
PARTS: tuple[str, ...] = ("subject", "html", "text")
_FILE_SUFFIX = {"subject": "subject.txt", "html": "html", "text": "txt"}
MAX_LENGTH = {"subject": 1_000, "html": 200_000, "text": 100_000}
_SOURCE_NAME = "<template>"
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
#: Runs of ASCII white space (not the no-break spaces French puts before colons).
_LINE_BREAKS = re.compile(r"[ \t\r\n\f\v]+")

#: Undefined names met while rendering, when a caller (the preview) asked to know them.
_undefined_seen: ContextVar[list[str] | None] = ContextVar("undefined_seen", default=None)


@dataclass(frozen=True)
class TemplateSource:
    subject: str
    html: str
    text: str

    def part(self, name: str) -> str:
        return str(getattr(self, name))


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


class TemplateProblem(InvalidRequest):
    """A template that does not compile or render; `field` is the part, `line` its line."""

    code = "invalid_template"

    def __init__(self, part: str, line: int | None, message: str) -> None:
        where = f"{part}, line {line}" if line else part
        super().__init__(f"{where}: {message}", field=part, line=line)
        self.line = line


class LenientUndefined(ChainableUndefined):
    """Unknown names render as nothing (`{{ rma.nope.deeper }}` too), so a typo in a merchant
    template never stops an e-mail; the preview lists them. Unsafe attributes still fail."""

    __slots__ = ()

    def _note(self) -> None:
        if self._undefined_exception is SecurityError:
            self._fail_with_undefined_error()
        seen = _undefined_seen.get()
        if seen is not None and self._undefined_message not in seen:
            seen.append(self._undefined_message)

    def __str__(self) -> str:
        self._note()
        return ""

    def __html__(self) -> str:
        self._note()
        return ""

    def __iter__(self) -> Iterator[Any]:
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        if self._undefined_exception is SecurityError:
            self._fail_with_undefined_error()
        return False


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, one per language; `a.b` on a mapping reads its key first, so a variable
    named like a dict method (`items`) still means the variable."""

    def __init__(self, locale: str, **options: Any) -> None:
        super().__init__(**options)
        self.locale = locale

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


@pass_context
def _money_filter(context: Context, amount: Any, currency: str | None = None) -> str:
    """`{{ 1250|money }}` in the store's currency, `{{ 1250|money("USD") }}` in another."""
    code = currency or str(context.get("currency") or "EUR")
    return format_money(int(amount), code, _locale_of(context))


@pass_context
def _date_filter(context: Context, value: Any) -> str:
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return format_day(value, _locale_of(context), str(context.get("timezone") or "UTC"))


@pass_context
def _datetime_filter(context: Context, value: Any) -> str:
    if not isinstance(value, datetime):
        return _date_filter(context, value)
    return format_moment(value, _locale_of(context), str(context.get("timezone") or "UTC"))


def _locale_of(context: Context) -> str:
    return str(getattr(context.environment, "locale", LOCALES[0]))


def _environment(directory: Path, locale: str, is_html: bool) -> _Environment:
    environment = _Environment(
        locale,
        loader=FileSystemLoader([directory / locale, directory / "shared"]),
        autoescape=is_html,
        undefined=LenientUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(money=_money_filter, date=_date_filter, datetime=_datetime_filter)
    return environment


class EmailTemplates:
    """Compiles and renders templates; safe to share between threads."""

    def __init__(self, directory: Path = TEMPLATE_DIRECTORY) -> None:
        self._directory = directory
        self._environments = {
            (locale, is_html): _environment(directory, locale, is_html)
            for locale in LOCALES
            for is_html in (False, True)
        }
        self._compile = lru_cache(maxsize=1024)(self._compile_uncached)

    def default_source(self, kind: str, locale: str) -> TemplateSource:
        """The built-in template, as a merchant would start editing it."""
        parts = {
            part: (self._directory / locale / f"{kind}.{_FILE_SUFFIX[part]}").read_text("utf-8")
            for part in PARTS
        }
        return TemplateSource(**parts)

    def check(self, source: TemplateSource, locale: str) -> None:
        """Refuse a template that does not compile, naming the part and the line."""
        for part in PARTS:
            text = source.part(part)
            if len(text) > MAX_LENGTH[part]:
                raise TemplateProblem(part, None, f"longer than {MAX_LENGTH[part]} characters")
            try:
                self._compile(locale, part, text)
            except TemplateSyntaxError as error:
                raise TemplateProblem(part, error.lineno, error.message or str(error)) from error

    def render(
        self,
        kind: str,
        locale: str,
        context: Mapping[str, Any],
        custom: TemplateSource | None = None,
    ) -> RenderedEmail:
        """Render the merchant's template when given, else the built-in one; errors raise."""
        parts = {}
        for part in PARTS:
            if custom is None:
                template = self._default(locale, part, kind)
            else:
                template = self._compile(locale, part, custom.part(part))
            parts[part] = _tidy(part, template.render(context))
        return RenderedEmail(**parts)

    def render_checked(
        self, kind: str, locale: str, context: Mapping[str, Any], source: TemplateSource
    ) -> RenderedEmail:
        """Render `source`, turning any failure into a `TemplateProblem` with its line."""
        self.check(source, locale)
        parts = {}
        for part in PARTS:
            template = self._compile(locale, part, source.part(part))
            try:
                parts[part] = _tidy(part, template.render(context))
            except Exception as error:  # a merchant's template may fail in any way
                raise TemplateProblem(part, _template_line(error), _describe(error)) from error
        return RenderedEmail(**parts)

    def _default(self, locale: str, part: str, kind: str) -> Template:
        environment = self._environments[(locale, part == "html")]
        return environment.get_template(f"{kind}.{_FILE_SUFFIX[part]}")

    def _compile_uncached(self, locale: str, part: str, source: str) -> Template:
        return self._environments[(locale, part == "html")].from_string(source)


@lru_cache(maxsize=1)
def default_templates() -> EmailTemplates:
    """The process's template set (built on first use, then shared)."""
    return EmailTemplates()


@contextmanager
def recording_undefined() -> Iterator[list[str]]:
    """Collect what was undefined while rendering inside the block (for previews)."""
    seen: list[str] = []
    token = _undefined_seen.set(seen)
    try:
        yield seen
    finally:
        _undefined_seen.reset(token)


def _tidy(part: str, rendered: str) -> str:
    if part == "subject":
        # Header values cannot hold line breaks; a template's stray newline must not fail.
        return _LINE_BREAKS.sub(" ", rendered).strip(" ")
    if part == "text":
        return _BLANK_LINES.sub("\n\n", rendered).strip() + "\n"
    return rendered


def _template_line(error: BaseException) -> int | None:
    """The line of the merchant's template where rendering failed (Jinja rewrites the
    traceback so that template frames carry template lines)."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == _SOURCE_NAME
    ]
    return lines[-1] if lines else None


def _describe(error: BaseException) -> str:
    if isinstance(error, TemplateSyntaxError):
        return error.message or str(error)
    if isinstance(error, SecurityError):
        return str(error)
    return f"{type(error).__name__}: {error}"

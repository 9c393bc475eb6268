"""A policy document typed as text: read it as JSON, and find the line each JSON pointer of
its problems is on, so that an editor can say where to look. Pure."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class NotJson(ValueError):
    """The text is not JSON; `line` is where the reader stopped."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_document(text: str) -> Any:
    """The JSON value of `text`, or `NotJson` with the line and column of the first mistake."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise NotJson(f"not JSON: {error.msg} at column {error.colno}", error.lineno) from None


def pointer_lines(text: str) -> dict[str, int]:
    """Every JSON pointer of the (valid JSON) `text` → the line its value starts on, from 1.
    A key given twice counts where it is last given, as the JSON reader keeps the last."""
    newlines = [index for index, char in enumerate(text) if char == "\n"]
    lines: dict[str, int] = {}

    def line(at: int) -> int:
        return bisect_right(newlines, at - 1) + 1

    def skip(at: int) -> int:
        while at < len(text) and text[at] in _WHITESPACE:
            at += 1
        return at

    def value(at: int, pointer: str) -> int:
        lines[pointer] = line(at)
        opening = text[at]
        if opening not in "{[":
            return int(_DECODER.raw_decode(text, at)[1])
        closing = "}" if opening == "{" else "]"
        at = skip(at + 1)
        index = 0
        while text[at] != closing:
            if opening == "{":
                key, at = scanstring(text, at + 1)
                at = skip(skip(at) + 1)  # past the colon
                member = f"{pointer}/{_escape(key)}"
            else:
                member = f"{pointer}/{index}"
            at = skip(value(at, member))
            index += 1
            if text[at] == ",":
                at = skip(at + 1)
        return at + 1

    value(skip(0), "")
    return lines


def line_of(lines: dict[str, int], pointer: str) -> int | None:
    """The line of `pointer`, else of the nearest enclosing value the text has (a missing
    member is reported on its object)."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rpartition("/")[0]


def lines_of(text: str, pointers: Iterable[str]) -> list[int | None]:
    """The line of each pointer into `text`, which must be JSON."""
    lines = pointer_lines(text)
    return [line_of(lines, pointer) for pointer in pointers]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")

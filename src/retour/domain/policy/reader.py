"""Reading a JSON-shaped value while collecting every problem as (JSON pointer, message).

The parser goes on after a problem (with a stand-in value) so one pass reports them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)

BASIS_POINTS_PER_PERCENT = 100
MAX_AMOUNT = 10**12


def pointer_to(parent: str, key: str | int) -> str:
    """RFC 6901: `~` and `/` in a key are escaped as `~0` and `~1`."""
    token = str(key).replace("~", "~0").replace("/", "~1")
    return f"{parent}/{token}"


class Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, pointer: str, message: str) -> None:
        self.items.append((pointer, message))


def read_object(
    problems: Problems, value: object, pointer: str, keys: frozenset[str]
) -> JsonObject | None:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        problems.add(pointer, "must be an object")
        return None
    return JsonObject(problems, value, pointer, keys)


class JsonObject:
    """One JSON object: typed getters that report a bad or missing member by its pointer."""

    def __init__(
        self, problems: Problems, data: Mapping[str, object], pointer: str, keys: frozenset[str]
    ) -> None:
        self.problems = problems
        self.data = data
        self.pointer = pointer
        for key in sorted(set(data) - keys):
            problems.add(pointer_to(pointer, key), "is not a known property")

    def at(self, key: str) -> str:
        return pointer_to(self.pointer, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def fail(self, key: str, message: str) -> None:
        self.problems.add(self.at(key), message)

    def _present(self, key: str, required: bool) -> object | None:
        if key not in self.data:
            if required:
                self.fail(key, "is required")
            return None
        return self.data[key]

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int = MAX_AMOUNT,
    ) -> int | None:
        value = self._present(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, "must be an integer")
            return None
        if not minimum <= value <= maximum:
            self.fail(key, f"must be between {minimum} and {maximum}")
            return None
        return value

    def percent(self, key: str, *, required: bool = False) -> int | None:
        """A percentage 0–100 with at most two decimals, as basis points."""
        value = self._present(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "must be a number")
            return None
        try:
            basis_points = Decimal(str(value)) * BASIS_POINTS_PER_PERCENT
        except InvalidOperation:
            self.fail(key, "must be a number")
            return None
        if basis_points != basis_points.to_integral_value() or not 0 <= basis_points <= 10_000:
            self.fail(key, "must be a percentage from 0 to 100 with at most two decimals")
            return None
        return int(basis_points)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._present(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
            return default
        return value

    def text(self, key: str, *, required: bool = False, max_length: int = 500) -> str | None:
        value = self._present(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
            return None
        if len(value) > max_length:
            self.fail(key, f"must be at most {max_length} characters")
            return None
        return value

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required, max_length=10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(key, "must be a date written YYYY-MM-DD")
            return None

    def choice(self, key: str, enum: type[E], *, required: bool = False) -> E | None:
        value = self._present(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or value not in enum._value2member_map_:
            self.fail(key, "must be one of " + ", ".join(member.value for member in enum))
            return None
        return enum(value)

    def strings(self, key: str, *, required: bool = False) -> frozenset[str] | None:
        """A non-empty array of non-empty strings."""
        items = self.array(key, required=required)
        if items is None:
            return None
        values: set[str] = set()
        for pointer, item in items:
            if not isinstance(item, str) or not item.strip():
                self.problems.add(pointer, "must be a non-empty string")
            else:
                values.add(item)
        return frozenset(values)

    def choices(
        self, key: str, enum: type[E], *, required: bool = False, allow_empty: bool = False
    ) -> frozenset[E] | None:
        items = self.array(key, required=required, allow_empty=allow_empty)
        if items is None:
            return None
        values: set[E] = set()
        allowed = ", ".join(member.value for member in enum)
        for pointer, item in items:
            if not isinstance(item, str) or item not in enum._value2member_map_:
                self.problems.add(pointer, f"must be one of {allowed}")
            else:
                values.add(enum(item))
        return frozenset(values)

    def array(
        self, key: str, *, required: bool = False, allow_empty: bool = False
    ) -> list[tuple[str, object]] | None:
        """The items of an array (non-empty unless allowed), each with its pointer."""
        value = self._present(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(key, "must be an array")
            return None
        if not value and not allow_empty:
            self.fail(key, "must not be empty")
            return None
        return [(pointer_to(self.at(key), index), item) for index, item in enumerate(value)]

    def child(self, key: str, keys: frozenset[str], *, required: bool = False) -> JsonObject | None:
        value = self._present(key, required)
        if value is None:
            return None
        return read_object(self.problems, value, self.at(key), keys)

    def members(self, key: str) -> Iterator[tuple[str, str, object]]:
        """(name, pointer, value) of an object used as a map, e.g. {"A": 90, "B": 60}."""
        value = self._present(key, False)
        if value is None:
            return
        if not isinstance(value, Mapping) or not value:
            self.fail(key, "must be a non-empty object")
            return
        for name in sorted(value):
            yield str(name), pointer_to(self.at(key), str(name)), value[name]

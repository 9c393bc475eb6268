"""Where a return is sent: the store's return locations and its routing rules.

A store has one default return location and may have more (a second warehouse, a
refurbisher, a country's hub). Its routing rules are an ordered list; the first rule that
matches a return sends it to that rule's location, and a return no rule matches goes to the
default location:

- a `country` rule matches when the order's shipping country is one of its countries;
- a `product_tag` rule matches when any returned item's product carries one of its tags.

A return goes to one location (its label, its receiving, its restocking), so a return mixing
items of several rules follows the first of them in the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pycountry

from retour.domain.errors import InvalidRequest

MAX_ROUTES = 50
MAX_VALUES = 100
MAX_TAG_LENGTH = 100
#: Location codes: what labels, the CLI and the API name a location by.
LOCATION_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class RouteMatch(StrEnum):
    COUNTRY = "country"
    PRODUCT_TAG = "product_tag"


@dataclass(frozen=True)
class Route:
    location: str
    match: RouteMatch
    values: tuple[str, ...]

    def matches(self, shipping_country: str, item_tags: Sequence[Iterable[str]]) -> bool:
        if self.match is RouteMatch.COUNTRY:
            return shipping_country.upper() in self.values
        wanted = {tag.casefold() for tag in self.values}
        return any(wanted.intersection(tag.casefold() for tag in tags) for tags in item_tags)

    def as_dict(self) -> dict[str, Any]:
        return {"location": self.location, "match": self.match.value, "values": list(self.values)}


def route_for(
    routes: Sequence[Route], shipping_country: str, item_tags: Sequence[Iterable[str]]
) -> Route | None:
    """The first route the return matches, or None (the default location takes it)."""
    return next((route for route in routes if route.matches(shipping_country, item_tags)), None)


def checked_location_code(code: str, field: str = "code") -> str:
    if not LOCATION_CODE.fullmatch(code):
        raise InvalidRequest(
            "1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit",
            field=field,
        )
    return code


def checked_routes(raw: Sequence[dict[str, Any]], known_locations: Iterable[str]) -> list[Route]:
    """The routes as given, validated, or InvalidRequest naming the field (`routes[1].values[0]`).

    Countries are ISO 3166-1 alpha-2 codes, written upper-case; tags are kept as written and
    compared without regard to case; a route names a location the store has.
    """
    if len(raw) > MAX_ROUTES:
        raise InvalidRequest(f"at most {MAX_ROUTES} routes", field="routes")
    locations = set(known_locations)
    return [_checked_route(item, f"routes[{index}]", locations) for index, item in enumerate(raw)]


def _checked_route(item: dict[str, Any], field: str, locations: set[str]) -> Route:
    location = str(item.get("location") or "")
    if location not in locations:
        known = ", ".join(sorted(locations))
        raise InvalidRequest(
            f"no return location {location!r}; one of: {known}", field=f"{field}.location"
        )
    try:
        match = RouteMatch(str(item.get("match")))
    except ValueError:
        kinds = ", ".join(kind.value for kind in RouteMatch)
        raise InvalidRequest(f"one of: {kinds}", field=f"{field}.match") from None
    values = item.get("values")
    if not isinstance(values, list) or not values:
        raise InvalidRequest("at least one value", field=f"{field}.values")
    if len(values) > MAX_VALUES:
        raise InvalidRequest(f"at most {MAX_VALUES} values", field=f"{field}.values")
    checked = _checked_countries if match is RouteMatch.COUNTRY else _checked_tags
    return Route(location, match, checked(values, f"{field}.values"))


def _checked_countries(values: list[Any], field: str) -> tuple[str, ...]:
    countries: list[str] = []
    for index, value in enumerate(values):
        code = str(value).strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise InvalidRequest(
                f"{value!r} is not an ISO 3166-1 alpha-2 country code", field=f"{field}[{index}]"
            )
        if code not in countries:
            countries.append(code)
    return tuple(countries)


def _checked_tags(values: list[Any], field: str) -> tuple[str, ...]:
    tags: list[str] = []
    for index, value in enumerate(values):
        tag = " ".join(str(value).split())
        if not tag or len(tag) > MAX_TAG_LENGTH:
            raise InvalidRequest(
                f"a tag of 1 to {MAX_TAG_LENGTH} characters", field=f"{field}[{index}]"
            )
        if tag.casefold() not in {known.casefold() for known in tags}:
            tags.append(tag)
    return tuple(tags)

"""Routing rules: the first that matches a return wins; the default takes the rest."""

from __future__ import annotations

import pytest

from retour.domain.errors import InvalidRequest
from retour.domain.routing import Route, RouteMatch, checked_routes, route_for

GB_HUB = Route("uk-hub", RouteMatch.COUNTRY, ("GB", "IE"))
REFURB = Route("refurb", RouteMatch.PRODUCT_TAG, ("Refurbishable", "electronics"))


@pytest.mark.parametrize(
    ("routes", "country", "item_tags", "expected"),
    [
        ([GB_HUB, REFURB], "gb", [["refurbishable"]], GB_HUB),
        ([REFURB, GB_HUB], "GB", [["linen"], ["REFURBISHABLE"]], REFURB),
        ([REFURB, GB_HUB], "GB", [["linen"]], GB_HUB),
        ([REFURB, GB_HUB], "FR", [["linen"], []], None),
        ([REFURB], "FR", [], None),
        ([], "GB", [["electronics"]], None),
    ],
)
def test_the_first_matching_route_wins(routes, country, item_tags, expected):
    assert route_for(routes, country, item_tags) == expected


def test_routes_are_checked_and_normalised():
    raw = [
        {"location": "uk-hub", "match": "country", "values": [" gb", "IE", "GB"]},
        {"location": "refurb", "match": "product_tag", "values": ["Big  item", "big item", "x"]},
    ]

    assert checked_routes(raw, ["returns", "uk-hub", "refurb"]) == [
        Route("uk-hub", RouteMatch.COUNTRY, ("GB", "IE")),
        Route("refurb", RouteMatch.PRODUCT_TAG, ("Big item", "x")),
    ]


def test_too_many_routes_or_values_are_refused():
    route = {"location": "returns", "match": "country", "values": ["FR"]}
    with pytest.raises(InvalidRequest) as too_many:
        checked_routes([route] * 51, ["returns"])
    with pytest.raises(InvalidRequest) as too_long:
        checked_routes([{**route, "values": ["FR"] * 101}], ["returns"])

    assert (too_many.value.field, too_many.value.detail) == ("routes", "at most 50 routes")
    assert (too_long.value.field, too_long.value.detail) == (
        "routes[0].values",
        "at most 100 values",
    )

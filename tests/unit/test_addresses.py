"""Addresses: required fields, ISO countries, postal-code formats and regions per country,
every refusal naming its field; and how an address is written on a label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retour.domain.addresses import Address, address_lines, checked_address, checked_country
from retour.domain.errors import InvalidRequest
from retour.domain.postal_codes import FORMATS
from retour.services.order_import import OrderImport


def address(country: str, postal_code: str, region: str = "", **fields: str) -> Address:
    values = {"name": "Sam Shopper", "line1": "1 Main Street", "city": "Town", **fields}
    return Address(country=country, postal_code=postal_code, region=region, **values)


def refusal(value: Address, field: str = "from_address") -> tuple[str, str]:
    with pytest.raises(InvalidRequest) as error:
        checked_address(value, field)
    return error.value.field, error.value.detail


@pytest.mark.parametrize(
    ("country", "written", "normal", "region"),
    [
        ("FR", "75011", "75011", ""),
        ("DE", "10115", "10115", ""),
        ("GB", "sw1a1aa", "SW1A 1AA", ""),
        ("GB", "EC1A 1BB", "EC1A 1BB", ""),
        ("GB", "M1 1AE", "M1 1AE", ""),
        ("GB", "gir0aa", "GIR 0AA", ""),
        ("US", "94103", "94103", "CA"),
        ("US", "94103 1234", "94103-1234", "US-CA"),
        ("NL", "1012ab", "1012 AB", ""),
        ("BE", "1000", "1000", ""),
        ("ES", "28013", "28013", ""),
        ("ES", "52001", "52001", ""),
        ("IT", "00184", "00184", ""),
        ("CA", "k1a0b1", "K1A 0B1", "ON"),
        ("PT", "1000001", "1000-001", ""),
        ("PL", "00-950", "00-950", ""),
        ("SE", "11455", "114 55", ""),
    ],
)
def test_a_postal_code_in_the_countrys_format_is_kept_in_its_written_form(
    country, written, normal, region
):
    checked = checked_address(address(country.lower(), f"  {written} ", region), "from_address")

    assert (checked.country, checked.postal_code) == (country, normal)


@pytest.mark.parametrize(
    ("country", "postal_code", "region"),
    [
        ("FR", "7501", ""),
        ("FR", "750111", ""),
        ("DE", "1011A", ""),
        ("GB", "SW1A", ""),
        ("GB", "QA1 1AA", ""),  # Q never starts a UK postcode
        ("US", "9410", "CA"),
        ("US", "94103-12", "CA"),
        ("NL", "0123 AB", ""),
        ("NL", "1012 SA", ""),  # SA, SD and SS are never used
        ("BE", "0999", ""),
        ("ES", "53001", ""),  # provinces run 01-52
        ("IT", "0018", ""),
        ("CA", "D1A 0B1", "ON"),  # D is not a Canadian first letter
        ("CA", "K1A0B", "ON"),
    ],
)
def test_a_postal_code_out_of_the_countrys_format_is_refused_naming_the_field(
    country, postal_code, region
):
    field, detail = refusal(address(country, postal_code, region))

    assert field == "from_address.postal_code"
    assert detail.startswith(f"{postal_code!r} is not a {country} postal code (e.g. ")


def test_each_country_with_a_format_needs_a_postal_code():
    for country in FORMATS:
        region = {"US": "NY", "CA": "ON", "AU": "NSW"}.get(country, "")

        field, detail = refusal(address(country, "", region), "return_address")

        assert field == "return_address.postal_code"
        assert detail == (
            f"a postal code is required in {country} (e.g. {FORMATS[country].example})"
        )


def test_elsewhere_the_postal_code_is_optional_and_taken_as_written():
    assert checked_address(address("IE", ""), "a").postal_code == ""
    assert checked_address(address("IE", "d02  x285"), "a").postal_code == "d02 x285"
    assert checked_address(address("HK", ""), "a").country == "HK"


@pytest.mark.parametrize("missing", ["name", "line1", "city", "country"])
def test_the_fields_every_address_needs_are_named_when_missing(missing):
    values = address("FR", "75011").as_dict() | {missing: "   "}

    assert refusal(Address(**values)) == (f"from_address.{missing}", f"{missing} is required")


def test_an_unknown_country_is_refused():
    assert refusal(address("XX", "1")) == (
        "from_address.country",
        "'XX' is not an ISO 3166-1 alpha-2 country code",
    )
    assert refusal(address("FRA", "75011")) == ("from_address.country", "at most 2 characters")


def test_the_us_canada_and_australia_need_a_known_state_or_province():
    assert refusal(address("US", "10001")) == (
        "from_address.region",
        "a state or province is required in US",
    )
    assert refusal(address("CA", "K1A 0B1", "XX")) == (
        "from_address.region",
        "'XX' is not a state or province of CA (its ISO 3166-2 code, e.g. NY or ON)",
    )
    assert checked_address(address("US", "10001", "ny"), "a").region == "NY"
    assert checked_address(address("US", "10001", "New York"), "a").region == "NY"
    assert checked_address(address("CA", "K1A 0B1", "CA-QC"), "a").region == "QC"
    assert checked_address(address("AU", "2000", "NSW"), "a").region == "NSW"
    assert checked_address(address("FR", "75011", "Île-de-France"), "a").region == ("Île-de-France")


def test_lengths_and_phone_numbers_are_checked():
    assert refusal(address("FR", "75011", name="x" * 201)) == (
        "from_address.name",
        "at most 200 characters",
    )
    assert refusal(address("FR", "75011", phone="call me")) == (
        "from_address.phone",
        "digits, spaces and + ( ) . - only",
    )
    assert checked_address(address("FR", "75011", phone="+33 (0)6 12.34-56"), "a").phone == (
        "+33 (0)6 12.34-56"
    )


def test_spaces_are_trimmed_and_collapsed():
    checked = checked_address(address("fr", "75011", name="  Sam   Shopper "), "a")

    assert (checked.name, checked.country) == ("Sam Shopper", "FR")


def test_a_country_alone_is_checked_and_upper_cased():
    assert checked_country(" fr", "shipping.country") == "FR"
    assert checked_country("", "shipping.country") == ""
    with pytest.raises(InvalidRequest) as error:
        checked_country("zz", "shipping.country")
    assert error.value.field == "shipping.country"


def test_addresses_are_written_as_each_post_reads_them():
    us = checked_address(address("US", "94103", "CA", city="San Francisco", line2="Apt 4"), "a")
    gb = checked_address(address("GB", "sw1a 1aa", city="London", company="Acme Ltd"), "a")
    fr = checked_address(address("FR", "75011", city="Paris"), "a")

    assert address_lines(us) == [
        "Sam Shopper", "1 Main Street", "Apt 4", "San Francisco, CA 94103", "UNITED STATES",
    ]  # fmt: skip
    assert address_lines(gb) == [
        "Sam Shopper", "Acme Ltd", "1 Main Street", "LONDON", "SW1A 1AA", "UNITED KINGDOM",
    ]  # fmt: skip
    assert address_lines(fr) == ["Sam Shopper", "1 Main Street", "75011 Paris", "FRANCE"]


def test_the_import_docs_example_address_is_one_a_label_can_be_made_from():
    doc = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json\n", 1)[1].split("\n```", 1)[0])

    shipping = OrderImport.model_validate(example).shipping
    fields = {name: getattr(shipping, name) for name in Address().as_dict()}

    assert checked_address(Address(**fields), "from_address") == Address(
        name="Sam Shopper", line1="12 rue de la Roquette", line2="Bâtiment B", city="Paris",
        postal_code="75011", country="FR", phone="+33 6 12 34 56 78",
    )  # fmt: skip

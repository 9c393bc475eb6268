"""Postal addresses: the store's return address, the shopper's ship-from address.

`checked_address` is the one place that knows what an address needs: a name, a street, a
city, an ISO 3166 country (pycountry), a postal code in the country's format where we know it
(postal_codes.py), and a state or province where the post needs one (US, CA, AU). Every
refusal names the field, e.g. `from_address.postal_code`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

import pycountry

from retour.domain.errors import InvalidRequest
from retour.domain.postal_codes import FORMATS, normal_postal_code

#: Longest value of each field (the columns are as wide).
MAX_LENGTHS = {
    "name": 200,
    "company": 200,
    "line1": 200,
    "line2": 200,
    "city": 100,
    "region": 100,
    "postal_code": 16,
    "country": 2,
    "phone": 32,
}
REQUIRED = ("name", "line1", "city", "country")
#: Countries whose post needs the state or province, as its ISO 3166-2 code (`NY`, `ON`).
REGION_REQUIRED = frozenset({"US", "CA", "AU"})
#: Where the city line is "City, ST 12345" (else "12345 City"; GB puts the postcode alone).
_CITY_FIRST = frozenset({"US", "CA", "AU"})
_PHONE = re.compile(r"\+?[0-9 ().-]{4,32}")


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, part.name) for part in fields(self))

    def as_dict(self) -> dict[str, str]:
        return {part.name: getattr(self, part.name) for part in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Address:
        return cls(**{part.name: str(values.get(part.name) or "") for part in fields(cls)})


FIELD_NAMES = tuple(part.name for part in fields(Address))


def checked_address(address: Address, field: str) -> Address:
    """The address trimmed and normalised (country, region and postal code in their written
    form), or InvalidRequest naming the first field that is wrong as `{field}.{name}`."""
    values = {name: " ".join(str(getattr(address, name)).split()) for name in FIELD_NAMES}
    for name, longest in MAX_LENGTHS.items():
        if len(values[name]) > longest:
            raise InvalidRequest(f"at most {longest} characters", field=f"{field}.{name}")
    for name in REQUIRED:
        if not values[name]:
            raise InvalidRequest(f"{name.replace('_', ' ')} is required", field=f"{field}.{name}")
    country = values["country"].upper()
    if pycountry.countries.get(alpha_2=country) is None:
        raise InvalidRequest(
            f"{values['country']!r} is not an ISO 3166-1 alpha-2 country code",
            field=f"{field}.country",
        )
    checked = replace(address, **{**values, "country": country})
    checked = replace(checked, postal_code=_checked_postal_code(checked, field))
    checked = replace(checked, region=_checked_region(checked, field))
    if checked.phone and not _PHONE.fullmatch(checked.phone):
        raise InvalidRequest("digits, spaces and + ( ) . - only", field=f"{field}.phone")
    return checked


def checked_country(code: str, field: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased; empty stays empty."""
    country = code.strip().upper()
    if country and pycountry.countries.get(alpha_2=country) is None:
        raise InvalidRequest(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field=field)
    return country


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def address_lines(address: Address) -> list[str]:
    """The address as the post reads it, top to bottom, the country last in capitals."""
    if address.country in _CITY_FIRST:
        # Region and postal code are required there.
        city_lines = [f"{address.city}, {address.region} {address.postal_code}"]
    elif address.country == "GB":
        city_lines = [address.city.upper(), address.postal_code]
    else:
        city_lines = [" ".join(f"{address.postal_code} {address.city} {address.region}".split())]
    lines = [address.name, address.company, address.line1, address.line2, *city_lines]
    if address.country:
        lines.append(country_name(address.country).upper())
    return [line for line in lines if line]


def _checked_postal_code(address: Address, field: str) -> str:
    rule = FORMATS.get(address.country)
    if rule is None:
        return address.postal_code
    if not address.postal_code:
        raise InvalidRequest(
            f"a postal code is required in {address.country} (e.g. {rule.example})",
            field=f"{field}.postal_code",
        )
    normal = normal_postal_code(address.country, address.postal_code)
    if normal is None:
        raise InvalidRequest(
            f"{address.postal_code!r} is not a {address.country} postal code (e.g. {rule.example})",
            field=f"{field}.postal_code",
        )
    return normal


def _checked_region(address: Address, field: str) -> str:
    if address.country not in REGION_REQUIRED:
        return address.region
    if not address.region:
        raise InvalidRequest(
            f"a state or province is required in {address.country}", field=f"{field}.region"
        )
    wanted = address.region.upper().removeprefix(f"{address.country}-")
    # pycountry types this lookup loosely; it answers the country's subdivisions or None.
    subdivisions: Any = pycountry.subdivisions
    for subdivision in subdivisions.get(country_code=address.country) or ():
        code = str(subdivision.code).removeprefix(f"{address.country}-")
        if wanted in (code, str(subdivision.name).upper()):
            return code
    raise InvalidRequest(
        f"{address.region!r} is not a state or province of {address.country} "
        "(its ISO 3166-2 code, e.g. NY or ON)",
        field=f"{field}.region",
    )

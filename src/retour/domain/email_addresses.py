"""E-mail addresses: what Retour accepts as one, and the form it is sent to.

Deliberately stricter than RFC 5322 (no quoted local parts, no comments, no IP literals) and
close to what mail providers accept: a dot-atom local part and a domain name with a dot.
"""

from __future__ import annotations

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"^{_ATOM}(\.{_ATOM})*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def address_problem(address: str) -> str | None:
    """Why `address` is not a usable e-mail address, or None when it is."""
    if not address or address != address.strip():
        return "empty, or spaces around it"
    if len(address) > 254:
        return "longer than 254 characters"
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "no local part before an @"
    if len(local) > 64:
        return "the part before the @ is longer than 64 characters"
    if not _LOCAL_PART.match(local):
        return "the part before the @ has characters or dots that are not allowed"
    return _domain_problem(domain)


def is_valid_address(address: str) -> bool:
    return address_problem(address) is None


def sendable_address(address: str) -> str:
    """`address` with its domain in ASCII (IDNA), as SMTP servers expect it; check it first."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{_ascii_domain(domain)}"


def _domain_problem(domain: str) -> str | None:
    try:
        ascii_domain = _ascii_domain(domain)
    except UnicodeError:
        return "the domain is not a valid domain name"
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        return "the domain needs a dot (e.g. example.com)"
    if any(not _LABEL.match(label) for label in labels):
        return "the domain is not a valid domain name"
    if labels[-1].isdigit():
        return "the domain is not a valid domain name"
    return None


def _ascii_domain(domain: str) -> str:
    if domain.isascii():
        return domain.lower()
    return domain.encode("idna").decode("ascii").lower()

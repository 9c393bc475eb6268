"""The SSRF guard: webhooks go to http(s) URLs whose host resolves to public addresses only.

Private, loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved and
unspecified addresses are refused, IPv4 and IPv6 alike, IPv4 hidden in IPv6 included — unless
the operator sets `RETOUR_WEBHOOKS_ALLOW_PRIVATE=true`. The check runs when a subscription is
saved and again whenever the sender opens a connection (`GuardedBackend`), which then goes to
the address that was checked: a DNS answer that changes in between (rebinding) cannot slip
through, and the URL keeps its name for the Host header, TLS and connection reuse.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence

import httpcore
import httpx
from httpcore import SOCKET_OPTION

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: host, port → the addresses the host resolves to (socket.getaddrinfo in production).
Resolver = Callable[[str, int], Sequence[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedTarget(Exception):
    """A webhook URL that must not be called; `is_temporary` when DNS may answer later."""

    def __init__(self, reason: str, is_temporary: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.is_temporary = is_temporary


def resolve_with_dns(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_webhook_url(raw: str) -> httpx.URL:
    """An absolute http(s) URL with a host, or RefusedTarget."""
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError) as error:
        raise RefusedTarget(f"not a valid URL: {error}") from error
    if url.scheme not in ("http", "https"):
        raise RefusedTarget("must be an http:// or https:// URL (https is recommended)")
    if not url.host:
        raise RefusedTarget("must name a host")
    return url


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address, looking through IPv4-in-IPv6 forms."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def public_addresses(host: str, port: int, resolve: Resolver = resolve_with_dns) -> list[IPAddress]:
    """Every address `host` resolves to, all public, or RefusedTarget."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            answers = resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise RefusedTarget(f"host {host} does not resolve ({error})", True) from error
        found = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
        if not found:
            raise RefusedTarget(f"host {host} does not resolve", is_temporary=True)
    refused = [str(address) for address in found if not is_public(address)]
    if refused:
        where = (
            f"{host} is a private or reserved address"
            if literal is not None
            else f"host {host} resolves to a private or reserved address ({', '.join(refused)})"
        )
        raise RefusedTarget(
            f"{where}; webhooks may only call public addresses "
            "(unless the operator sets RETOUR_WEBHOOKS_ALLOW_PRIVATE=true)"
        )
    return found


def check_webhook_url(
    raw: str, allow_private: bool, resolve: Resolver = resolve_with_dns
) -> httpx.URL:
    """The URL parsed; with private targets refused, also resolved and checked."""
    url = parse_webhook_url(raw)
    if not allow_private:
        public_addresses(url.host, url.port or (443 if url.scheme == "https" else 80), resolve)
    return url


class GuardedBackend(httpcore.SyncBackend):
    """Opens connections only to checked public addresses of the requested host."""

    def __init__(self, resolve: Resolver = resolve_with_dns) -> None:
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        failure: httpcore.ConnectError | None = None
        for address in public_addresses(host, port, self._resolve):
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None
        raise failure

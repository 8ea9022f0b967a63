"""Where a webhook may point: http(s) URLs whose host resolves only to public addresses (no SSRF).

Private, loopback, link-local, multicast, reserved and unspecified addresses are refused, unless
WEBHOOK_ALLOW_PRIVATE is set (a closed network; the tests' local receiver). The check runs when a subscription
is made or changed, and again before every delivery, so a name that later resolves inward is refused then.
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedTarget(ValueError):
    """A URL a webhook may not be sent to, with the reason."""


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def check(url: str, *, allow_private: bool) -> None:
    """Raise RefusedTarget if `url` is not an http(s) URL whose host resolves to allowed addresses only."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # .port raises on a port that is not a number
    except ValueError:
        raise RefusedTarget("is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise RefusedTarget("must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("must not carry credentials")
    if allow_private:
        return
    try:
        found = await asyncio.to_thread(socket.getaddrinfo, host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise RefusedTarget("its host does not resolve") from None
    addresses = {str(info[4][0]) for info in found}
    if not addresses or not all(_address_allowed(address) for address in addresses):
        raise RefusedTarget("its host resolves to a private, loopback or link-local address")

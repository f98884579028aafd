"""Which addresses a webhook may reach (docs/spec.md §11): public ones only.

An endpoint's host name is resolved and *every* address it resolves to is checked; the request then
connects to one of the checked addresses itself (transport.py), never to the name again, so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot slip a private
address in. The check runs when the endpoint is registered and again at every delivery.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import InvalidInput

# Named though the general rule covers them: the cloud providers' metadata services.
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
# NAT64's well-known prefix: a gateway turns 64:ff9b::7f00:1 into 127.0.0.1.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    addresses: tuple[str, ...]  # checked, in the resolver's order


def private_allowed() -> bool:
    return settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable: not loopback, private, link-local, multicast, reserved, unspecified,
    shared (100.64/10), documentation or metadata; an IPv4 address inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local
    )


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an endpoint URL; InvalidInput when it is not one we send to."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise InvalidInput(_("This is not a valid address.")) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme != "https" and not (scheme == "http" and private_allowed()):
        raise InvalidInput(_("The address must start with https://."))
    if not host or parts.username or parts.password:
        raise InvalidInput(_("The address must name a host, without a user name or password."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The endpoint with every address its host resolves to, each checked; InvalidInput when the
    host does not resolve or any of its addresses is not public (unless the setting allows it)."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise InvalidInput(_("The host name %(host)s does not resolve.") % {"host": host}) from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope (fe80::1%eth0) is link-local anyway
        address = ipaddress.ip_address(text)
        if not is_public(address) and not private_allowed():
            raise InvalidInput(
                _("%(host)s resolves to %(address)s, which is not a public address: webhooks only go to the internet.")
                % {"host": host, "address": text}
            )
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise InvalidInput(_("The host name %(host)s does not resolve.") % {"host": host})
    return Target(scheme, host, port, path, tuple(addresses))

"""Where webhooks may be sent: never into the municipality's own network unless a setting says so.

An endpoint's URL is checked when an administrator saves it and again at every attempt, against the addresses
its host resolves to *then* (a name can be pointed at 10.0.0.5 after it was saved). The attempt connects to
the address that was checked, never resolving the name a second time. Refused: other schemes than http(s),
http outside DEBUG (``CMS_WEBHOOK_REQUIRE_HTTPS``), user names and passwords in the URL, and any address that
is not globally routable (private, loopback, link-local, carrier-grade NAT, multicast, reserved), unless it lies
in ``CMS_WEBHOOK_ALLOWED_NETWORKS`` (CIDR strings, e.g. ``["10.20.0.0/16"]`` for an internal front-end).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TargetRefused(ValueError):
    """The URL may not be called. ``message`` is for administrators (translated)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the checked IP address to connect to


def require_https():
    configured = getattr(settings, "CMS_WEBHOOK_REQUIRE_HTTPS", None)
    return (not settings.DEBUG) if configured is None else bool(configured)


def allowed_networks():
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "CMS_WEBHOOK_ALLOWED_NETWORKS", [])]


def address_allowed(address):
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    if any(ip in net for net in allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def parse(url):
    """The URL's parts if its form is acceptable (nothing resolved yet)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("Only http and https URLs with a host name can receive webhooks."))
    if parts.scheme != "https" and require_https():
        raise TargetRefused(_("Webhook URLs must use https."))
    if parts.username or parts.password:
        raise TargetRefused(_("Put no user name or password in the URL: deliveries are signed."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def resolve(url):
    """A ``Target`` to connect to, or ``TargetRefused``. Every address the host resolves to must be allowed
    (a name with one private address among public ones is refused as a whole)."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(_("The host name of this URL cannot be found.")) from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise TargetRefused(_("The host name of this URL cannot be found."))
    refused = [address for address in addresses if not address_allowed(address)]
    if refused:
        raise TargetRefused(
            _("This URL leads to a private or local network address (%(address)s), which may not receive webhooks.")
            % {"address": refused[0]}
        )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])

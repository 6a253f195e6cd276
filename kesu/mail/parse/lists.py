"""Mail that came through a mailing list or a group that rewrote From.

A list that must not break the sender's DMARC rewrites ``From: 李娜 <lina@example.com>`` as
``From: "'李娜' via 客服组" <kefu-group@company.example>`` (Google Groups, Mailman, Coremail
groups) and keeps the original sender in ``X-Original-From``, ``X-Original-Sender`` or
``Reply-To``. The From address is then the list's, and anything sent there (a private link)
goes to every member: `original_sender` gives the person back, or no address at all. The
same holds for an announcement list that sends from its own posting address.
"""

import re

from kesu.mail.parse.headers import addresses_in

_VIA_RE = re.compile(r"^(?P<name>.*?)\s+(?:via|通过|透過)\s+\S.*$", re.IGNORECASE)
_LIST_MARKERS = ("list-id", "list-post")
_ORIGINAL_HEADERS = ("x-original-from", "x-original-sender", "reply-to")


def _list_post_address(headers: dict[str, list[str]]) -> str:
    for value in headers.get("list-post", []):
        match = re.search(r"<\s*mailto:([^>?\s]+)", value, re.IGNORECASE)
        if match:
            return match.group(1).lower()
    return ""


def _list_id_address(headers: dict[str, list[str]]) -> str:
    """The posting address a List-Id names: ``<kefu-group.company.example>`` is
    kefu-group@company.example (Mailman, Google Groups, Coremail)."""
    for value in headers.get("list-id", []):
        match = re.search(r"<([^<>@\s]+)>", value)
        if match and "." in match.group(1):
            return match.group(1).lower().replace(".", "@", 1)
    return ""


def rewritten_by_list(headers: dict[str, list[str]], name: str, address: str) -> bool:
    """Whether the From (`name`, `address`) is the list's, not the sender's own: a name
    "… via <list>", or the list's own posting address."""
    if not address or not any(marker in headers for marker in _LIST_MARKERS):
        return False
    return bool(_VIA_RE.match(name)) or address in (
        _list_post_address(headers),
        _list_id_address(headers),
    )


def original_sender(
    headers: dict[str, list[str]], name: str, list_address: str, hint: str | None
) -> tuple[str, str]:
    """The person behind a rewritten From: their name and address ("" when none is given)."""
    via = _VIA_RE.match(name)
    name = via.group("name").strip(" '\"") if via else name
    for header in _ORIGINAL_HEADERS:
        for found_name, address in addresses_in(headers.get(header, []), hint):
            if "@" in address and address != list_address:
                return found_name or name, address
    return name, ""

"""What kind of mail it is: written by a person, or automatic.

Checked in this order, because the signals overlap: LOOP (our own notifications carry
``Auto-Submitted`` too), then BOUNCE (delivery reports are ``Auto-Submitted`` as well), then
AUTO_REPLY, otherwise PERSONAL. A subject starting with 休假 counts as an auto-reply only
when 休假 (optionally 休假中/休假通知) is followed by punctuation, a space or the end, so that
a complaint titled "休假回来发现冰箱漏水" is not dropped. A read receipt
(``multipart/report; report-type=disposition-notification``) is an AUTO_REPLY too.
"""

import re

from kesu.mail.parse.headers import _unfold
from kesu.mail.parse.values import Nature

_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "auto-reply", "bulk", "junk", "list"})
_AUTO_REPLY_SUBJECT_RE = re.compile(
    r"^\s*(?:自动回复|自動回覆|自动答复|自動答覆|auto:|automatic reply|auto reply|auto-reply"
    r"|autoreply|out of office|out of the office|\[自动回复\]|【自动回复】"
    r"|休假(?:中|通知)?(?=$|[\s:：,，.。!！\-–—(\[（【]))",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliverable|undelivered|delivery status notification|mail delivery failed"
    r"|delivery failure|returned mail|failure notice|退信|投递失败|未送达|无法送达",
    re.IGNORECASE,
)
_BOUNCE_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})
_LOOP_RECEIVED_LIMIT = 25


def _first_token(values: list[str]) -> str:
    value = _unfold(values[0]) if values else ""
    return value.split("(", 1)[0].split(";", 1)[0].strip().lower()


def _nature(
    headers: dict[str, list[str]],
    top_type: tuple[str, dict[str, str]],
    senders: list[str],
    subject: str,
    own_addresses: frozenset[str],
) -> Nature:
    if "x-kesu-notification" in headers:
        return Nature.LOOP
    if any("kesu" in value.lower() for value in headers.get("x-loop", [])):
        return Nature.LOOP
    if any(sender in own_addresses for sender in senders):
        return Nature.LOOP
    if len(headers.get("received", [])) > _LOOP_RECEIVED_LIMIT:
        return Nature.LOOP

    content_type, parameters = top_type
    report_type = parameters.get("report-type", "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return Nature.BOUNCE
    if any(sender.partition("@")[0] in _BOUNCE_LOCAL_PARTS for sender in senders):
        return Nature.BOUNCE
    if "x-failed-recipients" in headers:
        return Nature.BOUNCE
    null_return_path = any(_unfold(v).strip() == "<>" for v in headers.get("return-path", []))
    if null_return_path and _BOUNCE_SUBJECT_RE.search(subject):
        return Nature.BOUNCE

    if "auto-submitted" in headers and _first_token(headers["auto-submitted"]) != "no":
        return Nature.AUTO_REPLY
    if any(name in headers for name in _AUTO_REPLY_HEADERS):
        return Nature.AUTO_REPLY
    for name in ("precedence", "x-precedence"):
        if name in headers and _first_token(headers[name]) in _AUTO_PRECEDENCE:
            return Nature.AUTO_REPLY
    if content_type == "multipart/report" and report_type == "disposition-notification":
        return Nature.AUTO_REPLY  # a read receipt
    if _AUTO_REPLY_SUBJECT_RE.match(subject):
        return Nature.AUTO_REPLY
    return Nature.PERSONAL

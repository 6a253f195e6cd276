"""What kind of mail it is: written by a person, or automatic; and whether it may be answered.

Checked in this order, because the signals overlap: LOOP (our own notifications carry
``Auto-Submitted`` too), then BOUNCE (delivery reports are ``Auto-Submitted`` as well), then
AUTO_REPLY, then RECALL, otherwise PERSONAL. A subject starting with 休假 counts as an
auto-reply only when 休假 (optionally 休假中/休假通知) is followed by punctuation, a space or the
end, so that a complaint titled "休假回来发现冰箱漏水" is not dropped. A read receipt
(``multipart/report; report-type=disposition-notification``) is an AUTO_REPLY too. Each
verdict comes with its evidence (the header or subject that decided), for the people who
look at the mail later.

RECALL is Outlook's request to recall an earlier message, sent to outside recipients as an
ordinary message: a subject starting with 撤回/召回/收回/Recall and a body that says so ("…
希望撤回邮件“…”", "… would like to recall the message …"), or the recall's message class in
a TNEF part. The subject alone is not enough: a customer may title a mail "撤回：上次的投诉".

Bulk (`bulk`): ``Precedence: list``, ``bulk`` or ``junk`` and the ``List-*`` headers mean
"do not answer automatically" (RFC 3834, RFC 2369), not "ignore": an intake address behind a
group alias or a list gets them on every message. So do ``Auto-Submitted: auto-generated``
(a ticket system or a web form's mailer wrote it for a person to read; ``auto-replied`` and
``auto-notified`` answer something, and are AUTO_REPLY) and a robot's sender address
(``noreply@``, ``no-reply@``, ``donotreply@``, ``mailer@``). Such mail is a person's
(PERSONAL) that no automatic answer may go to.
"""

import re
from collections.abc import Sequence

from kesu.mail.parse.headers import decode_header, unfold
from kesu.mail.parse.values import MailFile, Nature

_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "auto-reply"})
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
_LIST_HEADERS = ("list-id", "list-post", "list-unsubscribe", "list-help", "list-subscribe")
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
# Auto-Submitted values of mail a program wrote for a person to read (a ticket system, a web
# form's mailer): registered, never answered. "auto-replied" and "auto-notified" answer
# something (out-of-office, read receipts): automatic.
_WRITTEN = frozenset({"no", "auto-generated"})
# Senders nobody reads: mail from them is registered, never answered.
_ROBOT_LOCAL_PART_RE = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer|auto[-_.]?mailer)(?:[-_.+]\S*)?$",
    re.IGNORECASE,
)
_LOOP_RECEIVED_LIMIT = 25
RECALL_PREFIX_RE = re.compile(r"^\s*(?:撤回|召回|收回|回收|recall)\s*[:：]\s*", re.IGNORECASE)
_RECALL_BODY_RE = re.compile(
    r"would like to recall the message|wants to recall the message"
    r"|(?:希望|想要|想|要|請求|请求)(?:撤回|召回|收回)(?:此|该|這|这|这封|這封|该封)?(?:邮件|郵件)"
    r"|(?:撤回|召回|收回)了?(?:此|该|這|这|这封|這封|该封)(?:邮件|郵件)",
    re.IGNORECASE,
)
_RECALL_CLASS = b"IPM.Outlook.Recall"
_RECALL_BODY_REACH = 1000  # the notice says so in its first line


def _first_token(values: list[str]) -> str:
    value = unfold(values[0]) if values else ""
    return value.split("(", 1)[0].split(";", 1)[0].strip().lower()


def _header(headers: dict[str, list[str]], name: str) -> str:
    """``Name: value`` of the first `name` header, for the evidence."""
    return f"{name.title()}: {decode_header(headers[name][0])}"


def nature_of(
    headers: dict[str, list[str]],
    top_type: tuple[str, dict[str, str]],
    senders: list[str],
    subject: str,
    own_addresses: frozenset[str],
    text: str = "",
    files: tuple[MailFile, ...] = (),
) -> tuple[Nature, str]:
    """The nature of the mail and the evidence for it ("" for PERSONAL)."""
    if "x-kesu-notification" in headers:
        return Nature.LOOP, _header(headers, "x-kesu-notification")
    for value in headers.get("x-loop", []):
        if "kesu" in value.lower():
            return Nature.LOOP, f"X-Loop: {unfold(value).strip()}"
    for sender in senders:
        if sender in own_addresses:
            return Nature.LOOP, f"From: {sender}"
    if len(headers.get("received", [])) > _LOOP_RECEIVED_LIMIT:
        return Nature.LOOP, f"Received: × {len(headers['received'])}"

    content_type, parameters = top_type
    report_type = parameters.get("report-type", "").lower()
    if content_type == "multipart/report" and report_type == "delivery-status":
        return Nature.BOUNCE, f"Content-Type: {content_type}; report-type={report_type}"
    for sender in senders:
        if sender.partition("@")[0] in _BOUNCE_LOCAL_PARTS:
            return Nature.BOUNCE, f"From: {sender}"
    if "x-failed-recipients" in headers:
        return Nature.BOUNCE, _header(headers, "x-failed-recipients")
    null_return_path = any(unfold(v).strip() == "<>" for v in headers.get("return-path", []))
    if null_return_path and _BOUNCE_SUBJECT_RE.search(subject):
        return Nature.BOUNCE, f"Return-Path: <>, Subject: {subject}"

    if "auto-submitted" in headers and _first_token(headers["auto-submitted"]) not in _WRITTEN:
        return Nature.AUTO_REPLY, _header(headers, "auto-submitted")
    for name in _AUTO_REPLY_HEADERS:
        if name in headers:
            return Nature.AUTO_REPLY, _header(headers, name)
    for name in ("precedence", "x-precedence"):
        if name in headers and _first_token(headers[name]) in _AUTO_PRECEDENCE:
            return Nature.AUTO_REPLY, _header(headers, name)
    if content_type == "multipart/report" and report_type == "disposition-notification":
        return Nature.AUTO_REPLY, f"Content-Type: {content_type}; report-type={report_type}"
    if _AUTO_REPLY_SUBJECT_RE.match(subject):
        return Nature.AUTO_REPLY, f"Subject: {subject}"

    if RECALL_PREFIX_RE.match(subject) and (
        _RECALL_BODY_RE.search(text[:_RECALL_BODY_REACH])
        or any(f.content_type == "application/ms-tnef" and _RECALL_CLASS in f.data for f in files)
    ):
        return Nature.RECALL, f"Subject: {subject}"
    return Nature.PERSONAL, ""


def bulk_evidence(headers: dict[str, list[str]], senders: Sequence[str] = ()) -> str:
    """Why no automatic answer may go to this mail (RFC 3834), or ""."""
    for name in ("precedence", "x-precedence"):
        if name in headers and _first_token(headers[name]) in _BULK_PRECEDENCE:
            return _header(headers, name)
    for name in _LIST_HEADERS:
        if name in headers:
            return _header(headers, name)
    if "auto-submitted" in headers and _first_token(headers["auto-submitted"]) != "no":
        return _header(headers, "auto-submitted")  # auto-generated: a ticket system, a form
    for sender in senders:
        if _ROBOT_LOCAL_PART_RE.match(sender.partition("@")[0]):
            return f"From: {sender}"
    return ""

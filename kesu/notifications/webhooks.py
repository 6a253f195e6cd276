"""Department webhooks: the JSON each style expects, and one POST (stdlib only).

WeCom and DingTalk group robots take `{"msgtype": "text", "text": {"content": …}}` and answer
`{"errcode": 0, …}`; anything else (a non-2xx status, `errcode` other than 0, no answer within
the timeout) is a failed attempt. DingTalk robots with a signing secret get `timestamp` and
`sign` in the query; generic receivers get the body's HMAC-SHA256 in `X-Kesu-Signature`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from kesu.notifications.choices import WebhookStyle

TIMEOUT_SECONDS = 5
MAX_REPLY_BYTES = 64 * 1024


class DeliveryError(Exception):
    """A failed attempt, with what the other side said (if anything)."""

    def __init__(self, message: str, *, status: int | None = None, response: str = ""):
        super().__init__(message)
        self.status = status
        self.response = response


@dataclass(frozen=True)
class Reply:
    status: int
    body: str


def payload(
    style: str,
    *,
    event: str,
    message: str,
    number: str,
    subject: str,
    body: str,
    url: str,
) -> dict[str, Any]:
    if style in (WebhookStyle.WECOM, WebhookStyle.DINGTALK):
        return {"msgtype": "text", "text": {"content": f"{subject}\n{body}"}}
    return {
        "event": event,
        "message": message,
        "complaint": number,
        "subject": subject,
        "body": body,
        "url": url,
    }


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """The robot URL with DingTalk's `timestamp` and `sign` (HMAC-SHA256 of "ts\\nsecret")."""
    timestamp = str(now_ms if now_ms is not None else round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we did not ask for: report it as it is."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, style: str, secret: str, data: dict[str, Any]) -> Reply:
    """POST `data` as JSON; return the reply, or raise DeliveryError."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"not an http(s) address: {url}")
    raw = json.dumps(data, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Kesu"}
    if secret and style == WebhookStyle.DINGTALK:
        url = dingtalk_signed(url, secret)
    elif secret and style == WebhookStyle.GENERIC:
        signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        headers["X-Kesu-Signature"] = f"sha256={signature}"
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status, body = response.status, _text(response.read(MAX_REPLY_BYTES))
    except urllib.error.HTTPError as error:
        body = _text(error.read(MAX_REPLY_BYTES)) if error.fp else ""
        raise DeliveryError(f"HTTP {error.code}", status=error.code, response=body) from None
    except (urllib.error.URLError, OSError) as error:  # refused, unreachable, timed out
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"no answer: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}", status=status, response=body)
    _check_errcode(status, body)
    return Reply(status, body)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _check_errcode(status: int, body: str) -> None:
    """WeCom and DingTalk answer 200 with `errcode` ≠ 0 when they refuse the message."""
    try:
        answer = json.loads(body)
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(
            f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}",
            status=status,
            response=body,
        )

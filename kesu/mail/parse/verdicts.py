"""The receiving mail server's verdicts: spam scores and failed sender authentication.

Kesu does not judge spam itself; the company's mail server has (SpamAssassin's or Rspamd's
``X-Spam-Flag``/``X-Spam-Status``, a DMARC or SPF result in ``Authentication-Results``, RFC
8601). Which verdicts count is configuration (`Verdicts`), because it depends on that server.
Only failures are read, so a header a sender forged can hold their own mail but never release
anyone's.
"""

import re
from collections.abc import Iterable

from kesu.mail.parse.headers import decode_raw, unfold
from kesu.mail.parse.values import Verdicts

_COMMENT_RE = re.compile(r"\([^()]*\)")
_RESULT_RE = re.compile(r"^\s*([a-z0-9_.-]+)(?:/[0-9]+)?\s*=\s*([a-z0-9_-]+)", re.IGNORECASE)
_EVIDENCE_LENGTH = 200


def _without_comments(value: str) -> str:
    while True:
        stripped = _COMMENT_RE.sub(" ", value)
        if stripped == value:
            return value
        value = stripped


def _authentication_failures(value: str, verdicts: Verdicts) -> tuple[str, list[str]]:
    """The authserv-id of one Authentication-Results value ("" when the server wrote none,
    as Microsoft 365 does: ``spf=fail (…) smtp.mailfrom=…; dmarc=none …``) and its results
    that count."""
    results = _without_comments(unfold(value)).split(";")
    authserv_id = ""
    if not _RESULT_RE.match(results[0]):  # "mx.example.cn; spf=…": the id comes first
        authserv = results.pop(0).split()
        authserv_id = authserv[0].lower() if authserv else ""
    failures = []
    for result in results:
        match = _RESULT_RE.match(result)
        if match and f"{match[1].lower()}={match[2].lower()}" in verdicts.auth_failures:
            failures.append(f"{match[1].lower()}={match[2].lower()}")
    return authserv_id, failures


def verdict(raw_headers: Iterable[tuple[str, str]], verdicts: Verdicts | None) -> str:
    """The first verdict that holds the mail, as evidence ("Header: value"), or ""."""
    if verdicts is None:
        return ""
    spam = dict(verdicts.spam_headers)
    first_results = True
    for name, value in raw_headers:
        key = name.lower()
        if key == "authentication-results" and verdicts.auth_failures:
            authserv_id, failures = _authentication_failures(value, verdicts)
            counts = (
                authserv_id in verdicts.authserv_ids if verdicts.authserv_ids else first_results
            )
            first_results = False
            if counts and failures:
                server = f" ({authserv_id})" if authserv_id else ""
                return f"Authentication-Results{server}: " + ", ".join(failures)
        elif key in spam:
            text = " ".join(decode_raw(unfold(value), None).split())
            needle = spam[key].lower()
            held = needle in text.lower() if needle else text.lower().startswith(("yes", "true"))
            if held:
                return f"{name}: {text}"[:_EVIDENCE_LENGTH]
    return ""

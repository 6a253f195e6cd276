"""E-mail intake's configuration from the environment: which verdicts of the receiving mail
server hold a message for staff review (spam, forged senders), and what its gateway adds to
subjects. They depend on that server, so they are infrastructure, read once at start-up
(`kesu/settings.py`: KESU_MAIL_VERDICTS, KESU_MAIL_SUBJECT_TAGS):

- `KESU_MAIL_HOLD_AUTH`: ``method=result`` pairs of ``Authentication-Results`` that hold a
  message, comma-separated (default ``dmarc=fail``; ``none`` reads none). Not ``spf=fail`` by
  default: SPF fails for every message a customer's own server forwarded (the forwarder is
  not the sender's domain's server), while DMARC still passes on the DKIM signature.
- `KESU_MAIL_AUTHSERV_IDS`: the authserv-ids (host names) of the company's own servers, whose
  ``Authentication-Results`` count (default: none named, and only the topmost such header —
  the one the last server added — counts).
- `KESU_MAIL_SUBJECT_TAGS`: what the company's mail gateway puts in front of the subject of
  mail from outside, comma-separated (default ``[EXT],【外部邮件】,[External],*EXTERNAL*``;
  ``none`` for none): a reply's subject is read without them, before or after "Re:".
- `KESU_MAIL_SPAM_HEADERS`: headers that mark spam, comma-separated, each ``Name`` (its value
  starts with "yes" or "true") or ``Name:text`` (its value contains the text) (default
  ``X-Spam-Flag,X-Spam-Status,X-Spam``; ``none`` reads none).
"""

import re

from kesu.envconfig import ConfigError, env_list
from kesu.mail.parse import DEFAULT_SUBJECT_TAGS, Verdicts

_NONE = {"none", "off", "-"}
_AUTH_RE = re.compile(r"^[a-z0-9_.-]+=[a-z0-9_-]+$")
_HEADER_RE = re.compile(r"^[!-9;-~]+$")


def _entries(name: str, default: list[str]) -> list[str]:
    values = env_list(name, default)
    if len(values) == 1 and values[0].lower() in _NONE:
        return []
    return values


def mail_verdicts() -> Verdicts:
    """The verdicts to read, from the environment; fails loudly on a value it cannot use."""
    defaults = Verdicts()
    auth = [
        a.lower().replace(" ", "")
        for a in _entries("KESU_MAIL_HOLD_AUTH", sorted(defaults.auth_failures))
    ]
    for entry in auth:
        if not _AUTH_RE.match(entry):
            raise ConfigError(f"KESU_MAIL_HOLD_AUTH: {entry!r} is not method=result (dmarc=fail)")
    spam = []
    default_spam = [name for name, _text in defaults.spam_headers]
    for entry in _entries("KESU_MAIL_SPAM_HEADERS", default_spam):
        header, _colon, text = entry.partition(":")
        if not _HEADER_RE.match(header.strip()):
            raise ConfigError(f"KESU_MAIL_SPAM_HEADERS: {entry!r} is not Header or Header:text")
        spam.append((header.strip().lower(), text.strip()))
    return Verdicts(
        auth_failures=frozenset(auth),
        authserv_ids=frozenset(a.lower() for a in env_list("KESU_MAIL_AUTHSERV_IDS", [])),
        spam_headers=tuple(spam),
    )


def mail_subject_tags() -> tuple[str, ...]:
    """The gateway's subject tags, from the environment."""
    return tuple(_entries("KESU_MAIL_SUBJECT_TAGS", list(DEFAULT_SUBJECT_TAGS)))

"""What identifies a message when it has no Message-ID, and what a reply's subject is about.

The same message reaches Kesu by SMTP (CRLF line ends, perhaps a Received header more) and
from a mailbox file (LF, an mbox ``From `` line, ``>From`` quoting): its raw bytes differ, its
content does not. `content_key` hashes what the message says — sender, recipients, date,
subject, text, the files' bytes — with whitespace squeezed; `raw_key` hashes bytes that could
not be read at all, with their line ends and mbox framing normalised.
"""

import functools
import hashlib
import re
from collections.abc import Iterable

_MBOX_FROM_LINE_RE = re.compile(rb"\AFrom [^\r\n]*\r?\n")
_MBOX_QUOTED_FROM_RE = re.compile(r"^>+(From )", re.MULTILINE)
_RAW_MBOX_QUOTED_FROM_RE = re.compile(rb"^>+(From )", re.MULTILINE)
_RAW_LINE_END_RE = re.compile(rb"[ \t]*(?:\r\n|\r|\n)")
_SUBJECT_PREFIX_RE = re.compile(
    r"^\s*(?:re|fw|fwd|aw|sv|wg|vs|tr|答复|答覆|回复|回覆|转发|轉發|转寄|轉寄)"
    r"\s*(?:\[\d+\]|\(\d+\)|（\d+）|\d+)?\s*[:：]\s*",
    re.IGNORECASE,
)
# What mail gateways put in front of a subject from outside, before or after "Re:".
DEFAULT_SUBJECT_TAGS = ("[EXT]", "【外部邮件】", "[External]", "*EXTERNAL*")


def _key(digest: "hashlib._Hash") -> str:
    return f"sha256-{digest.hexdigest()}@kesu.invalid"


def content_key(values: Iterable[str], blobs: Iterable[bytes] = ()) -> str:
    """A Message-ID for a message that has none, from what it says."""
    digest = hashlib.sha256()
    for value in values:
        squeezed = " ".join(_MBOX_QUOTED_FROM_RE.sub(r"\1", value).split())
        digest.update(squeezed.encode("utf-8", errors="surrogatepass") + b"\x1f")
    for blob in blobs:
        digest.update(hashlib.sha256(blob).digest())
    return _key(digest)


def raw_key(raw: bytes) -> str:
    """A Message-ID for bytes that could not be read, the same for CRLF and LF copies."""
    body = _MBOX_FROM_LINE_RE.sub(b"", raw, count=1)
    body = _RAW_MBOX_QUOTED_FROM_RE.sub(rb"\1", _RAW_LINE_END_RE.sub(b"\n", body))
    return _key(hashlib.sha256(body.strip()))


def subject_topic(subject: str, tags: Iterable[str] = DEFAULT_SUBJECT_TAGS) -> tuple[str, bool]:
    """The subject without its reply and forward prefixes (回复：, 答复:, Re[2]:, Fw:, 转发:
    …, repeated) and the gateway `tags` among them ([EXT] Re: …), and whether it had a
    reply or forward prefix."""
    answered = False
    rest = without_tags(subject, tags)
    while match := _SUBJECT_PREFIX_RE.match(rest):
        answered = True
        rest = without_tags(rest[match.end() :], tags)
    return " ".join(rest.split()), answered


def without_tags(subject: str, tags: Iterable[str] = DEFAULT_SUBJECT_TAGS) -> str:
    """The subject without the gateway `tags` in front of it ("[EXT] 【外部邮件】 Re: …")."""
    tags_re = _tags_re(tuple(tags))
    return tags_re.sub("", subject, count=1) if tags_re is not None else subject


@functools.lru_cache(maxsize=8)
def _tags_re(tags: tuple[str, ...]) -> re.Pattern[str] | None:
    if not any(tag.strip() for tag in tags):
        return None
    alternatives = "|".join(re.escape(tag.strip()) for tag in tags if tag.strip())
    return re.compile(rf"^(?:\s*(?:{alternatives}))+\s*", re.IGNORECASE)

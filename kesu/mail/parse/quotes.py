"""Quoted earlier messages (`strip_quoted`).

Chinese clients do not quote with ``>``; they append the earlier message under a marker
(QQ Mail's ``------------------ 原始邮件 ------------------``, Outlook's ``发件人:`` /
``发送时间:`` block, Gmail's ``在 … 写道：``). ``reply_text`` is the text cut at the first such
marker, without a trailing ``>``-quoted block or signature. A ``From:``/``发件人:`` line starts
a quoted block only with an address and another header line below it, or with two more kinds
of header line (sent/date, to, subject): a customer's own "From: Shanghai warehouse / Date: …"
note is not a quote. The caller keeps the whole text whenever the cut took anything. An
attribution line (``… wrote:``) followed by a ``>`` block *and then more unquoted text* is an
interleaved reply and is not cut, so nothing the customer wrote below a quote is lost; but a reply
written entirely below the quote (bottom-posted: the quote, with or without its attribution,
first, then the customer's words and no further quote) loses the quote above it. Forwarded
messages are deliberately kept, since a customer who forwards something wants us to read
it: `strip_quoted` stops looking at ``---------- Forwarded message ----------`` /
``转发的邮件``, and `parse` does not strip at all when the subject starts with
``Fw:``/``Fwd:``/``转发：`` (QQ Mail and Outlook forward under the same markers they quote
with).
"""

import re

from kesu.mail.parse.headers import LINE_BREAK_RE

_QUOTE_SEPARATOR_RE = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:原始邮件|原始郵件|original message|original|回复的原邮件|reply message"
    r"|reply to message|回复邮件|原邮件)"
    r"\s*[-_=*]*\s*$",
    re.IGNORECASE,
)
_FORWARD_SEPARATOR_RE = re.compile(
    r"^\s*(?:[-_=*]{2,}\s*)?(?:forwarded message|begin forwarded message|转发的邮件|转发邮件信息"
    r"|转发邮件|轉寄郵件|轉寄的郵件)\s*[:：]?\s*(?:[-_=*]{2,})?\s*$",
    re.IGNORECASE,
)
_QUOTE_FROM_RE = re.compile(
    r"^\s*\*?\s*(?:from|发件人|發件人|寄件者|寄件人)\s*\*?\s*[:：]", re.IGNORECASE
)
_QUOTE_DATE_RE = re.compile(
    r"^\s*\*?\s*(?:sent|date|发送时间|發送時間|傳送時間|寄件日期|日期|时间|時間)\s*\*?\s*[:：]",
    re.IGNORECASE,
)
_QUOTE_TO_RE = re.compile(
    r"^\s*\*?\s*(?:to|cc|收件人|收件者|抄送|副本)\s*\*?\s*[:：]", re.IGNORECASE
)
_QUOTE_SUBJECT_RE = re.compile(
    r"^\s*\*?\s*(?:subject|主题|主題|主旨|标题|標題)\s*\*?\s*[:：]", re.IGNORECASE
)
_QUOTE_HEADER_KINDS = (_QUOTE_DATE_RE, _QUOTE_TO_RE, _QUOTE_SUBJECT_RE)
_QUOTE_HEADER_LOOKAHEAD = 5
_ATTRIBUTION_END_RE = re.compile(r"(?:写道|寫道|wrote)\s*[:：]\s*$", re.IGNORECASE)
_ATTRIBUTION_START_RE = re.compile(r"^\s*(?:on\s|在|于|於|\d)|[于於]\s*\d{4}", re.IGNORECASE)
_ATTRIBUTION_EVIDENCE_RE = re.compile(r"@|\d{1,2}[:：]\d{2}")
_ATTRIBUTION_MAX_LENGTH = 300
_TRAILING_SEPARATOR_RE = re.compile(r"^\s*[-_=*]{3,}\s*$")
_SIGNATURE_DELIMITERS = frozenset({"-- ", "--"})


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_start(lines: list[str], index: int) -> int | None:
    """The first line of a "… 写道：" / "On … wrote:" attribution ending on line `index`."""
    line = lines[index]
    if not _ATTRIBUTION_END_RE.search(line):
        return None
    has_evidence = bool(_ATTRIBUTION_EVIDENCE_RE.search(line))
    if has_evidence and _ATTRIBUTION_START_RE.search(line):
        return index
    if index > 0 and lines[index - 1].strip():  # wrapped onto two lines
        joined = lines[index - 1].strip() + " " + line.strip()
        if (
            len(joined) <= _ATTRIBUTION_MAX_LENGTH
            and _ATTRIBUTION_START_RE.search(joined)
            and _ATTRIBUTION_EVIDENCE_RE.search(joined)
        ):
            return index - 1
    return index if "@" in line else None


def _is_quote_header_block(lines: list[str], index: int) -> bool:
    """An earlier message's header block (Outlook's ``发件人:`` / ``发送时间:`` …) starts on line
    `index`: a From line with an address and another header line below it, or a From line
    followed by two more kinds of header (sent/date, to, subject). "补充信息：\nFrom: Shanghai
    warehouse\nDate: 2026-12-01\n…" is the customer's own text, not a quote."""
    match = _QUOTE_FROM_RE.match(lines[index])
    if not match:
        return False
    following = lines[index + 1 : index + 1 + _QUOTE_HEADER_LOOKAHEAD]
    kinds = sum(1 for kind in _QUOTE_HEADER_KINDS if any(kind.match(line) for line in following))
    has_address = "@" in lines[index][match.end() :]
    return kinds >= 2 or (has_address and kinds >= 1)


def _below_leading_quote(lines: list[str]) -> int | None:
    """Where a bottom-posted reply starts: after the quote (and its attribution) that opens
    the text, when the customer's words follow and no other quote comes after them."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    block = first
    if not _is_quoted(lines[first]):
        ends = [i for i in (first, first + 1) if i < len(lines)]
        end = next((i for i in ends if _attribution_start(lines, i) == first), None)
        if end is None:
            return None
        block = end + 1
        while block < len(lines) and not lines[block].strip():
            block += 1
        if block >= len(lines) or not _is_quoted(lines[block]):
            return None
    after = block
    while after < len(lines) and (_is_quoted(lines[after]) or not lines[after].strip()):
        after += 1
    rest = lines[after:]
    signature = next((i for i, line in enumerate(rest) if line in _SIGNATURE_DELIMITERS), len(rest))
    own = [line for line in rest[:signature] if line.strip()]
    if not own or any(_is_quoted(line) for line in own):
        return None  # nothing of their own, or an interleaved reply: keep the context
    return after


def strip_quoted(text: str) -> str:
    """`text` without the quoted earlier message, trailing ``>`` quotes and the signature.

    If nothing would be left, the whole text (stripped) is returned instead.
    """
    lines = LINE_BREAK_RE.split(text)
    below = _below_leading_quote(lines)
    if below is not None:
        lines = lines[below:]
    signature_at = next(
        (i for i, line in enumerate(lines) if line in _SIGNATURE_DELIMITERS), len(lines)
    )
    last_own_line = max(
        (i for i in range(signature_at) if lines[i].strip() and not _is_quoted(lines[i])),
        default=-1,
    )
    cut = signature_at
    index = 0
    while index < cut:
        line = lines[index]
        if _FORWARD_SEPARATOR_RE.match(line):
            # what follows was forwarded on purpose, and so is any "-- " below: keep it all
            cut = len(lines)
            break
        if _QUOTE_SEPARATOR_RE.match(line) or _is_quote_header_block(lines, index):
            cut = index
            break
        start = _attribution_start(lines, index)
        if start is not None:
            after = index + 1
            while after < len(lines) and not lines[after].strip():
                after += 1
            if after < len(lines) and _is_quoted(lines[after]):
                while after < len(lines) and (_is_quoted(lines[after]) or not lines[after].strip()):
                    after += 1
                if last_own_line >= after:  # interleaved or bottom-posted reply: keep it all
                    index = after
                    continue
            cut = start
            break
        index += 1
    kept = [line if line.strip() else "" for line in lines[:cut]]
    while kept and (
        not kept[-1].strip() or _is_quoted(kept[-1]) or _TRAILING_SEPARATOR_RE.match(kept[-1])
    ):
        kept.pop()
    result = "\n".join(kept).rstrip()
    return result if result.strip() else text.strip()

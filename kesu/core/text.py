"""Text no database column can hold."""

import re

# NUL: PostgreSQL's text refuses it (SQLite would keep it); a lone UTF-16 surrogate cannot be
# encoded as UTF-8 for either database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds a character that no text column can store."""
    return _UNSTORABLE.search(text) is not None


def printable(text: str) -> str:
    """`text` with those characters written as escapes (to name a field that holds them)."""
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")

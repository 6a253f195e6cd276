"""Phone numbers: one reading for every entrance, one stored form, one way to show them.

Pure (no ORM), on Google's libphonenumber (the `phonenumbers` package). A number is read with
mainland China as the default region, so a customer may write it as they say it:

    139-0000-0009 · 139 0000 0009 · +86 139 0000 0009 · 0086 139 0000 0009 → +8613900000009
    (010) 1234 5678 · 010-12345678                                         → +861012345678
    0755-8888 8888 转 123 · 0755-88888888-123 · … ext. 123 · … #123     → +8675588888888;ext=123
    +44 20 7946 0958                                                        → +442079460958

and it is stored in E.164 (`+8613900000009`), with an extension as RFC 3966 writes it
(`;ext=123`). So "139-0000-0009" and "13900000009" are one caller: for the earlier complaints
and the duplicates of registration, for the search and for the public form's limits.
Anything that is not a valid number (`abc`, `12`, `=2+5`, a landline without its area code)
is refused with `InvalidPhone`, whose message says what to write; so is a number with more
than formatting around it (`张先生 13900000009`, `13900000009a`): the words are the person's
mistake to hear about, not text to drop. A mainland mobile written the common way is read
without the library's parser (`_mainland_mobile`, on the library's own metadata), and each
process remembers the last few thousand readings.

Staff read a number in the national format when it is Chinese (`139 0000 0009`,
`010 1234 5678`) and in the international format otherwise (`+44 20 7946 0958`): `display`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberFormat,
    PhoneNumberType,
)

REGION = "CN"
EXTENSION = ";ext="
# Chinese words for "extension" (转 as said on the phone: 转分机), read as the library's "ext".
_EXTENSION_WORDS = re.compile(r"\s*(?:转分机|分机号?|转)\s*")
EXTENSION_DIGITS = 6  # keeps the stored form within its 32 characters
# 0755-88888888-123: a landline whose extension follows a last hyphen.
_TRAILING_EXTENSION = re.compile(r"^(?P<number>.*\d)\s*[-－—]\s*(?P<extension>\d{1,6})$")
_LANDLINE = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

# What a number is written with: digits and the marks people put between them, then perhaps an
# extension (in words, or `;ext=` as it is stored). Anything else (a name, a word, a letter)
# is not formatting: the text is refused rather than read for the number inside it, so
# nothing that was written is silently lost.
_MARKS = r"\s+\-‐‑–—().\/、#"
_NUMBER_ALONE = re.compile(
    rf"[\d{_MARKS}]*(?:(?:;ext=|转分机|分机号?|转|ext\.?|extension|x)[\s.:]*\d+[\s.]*)?",
    re.IGNORECASE,
)
_NOT_NUMBER = re.compile(rf"[^\d{_MARKS}]+")
_NON_DIGITS = re.compile(r"\D")

# The common case read without the library's parser: a mainland mobile, 11 digits, in three
# groups or none, perhaps after +86 or 0086. Valid exactly when the library's own metadata
# says it is a mobile number (a test compares the two on generated numbers).
_MOBILE_WRITTEN = re.compile(r"(?:(?:\+86|0086)[ -]?)?(1\d\d)[ -]?(\d{4})[ -]?(\d{4})")
_CN = PhoneMetadata.metadata_for_region(REGION)


def _compiled(desc: PhoneNumberDesc | None) -> re.Pattern[str]:
    """A pattern of the library's metadata, which has the mainland's."""
    if desc is None or desc.national_number_pattern is None:
        raise LookupError(f"phonenumbers has no metadata for {REGION}")
    return re.compile(desc.national_number_pattern)


_CN_NUMBER = _compiled(_CN.general_desc if _CN is not None else None)
_CN_MOBILE = _compiled(_CN.mobile if _CN is not None else None)


class InvalidPhone(ValueError):
    """Not a phone number; the message (translated) says what to write instead."""

    def __init__(self, value: str, *, words: bool = False):
        if words:
            message = _(
                "“%(value)s” has more in it than a phone number. Write the number alone "
                "(139 0000 0009, 010-1234 5678 转 123); a name goes in its own field."
            )
        else:
            message = _(
                "“%(value)s” is not a phone number. Write a mobile number (139 0000 0009), a "
                "landline with its area code (010-1234 5678) or an international number "
                "with its country code (+44 20 7946 0958)."
            )
        super().__init__(message % {"value": value})


@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The stored form of the number written in `text` ("" stays ""); raises InvalidPhone.

    Only formatting is dropped: the marks between the digits, the words for an extension, a
    trunk 0, an international prefix; a text with anything more in it is refused."""
    if (mobile := _mainland_mobile(text)) is not None:
        return mobile
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return ""
    if not _NUMBER_ALONE.fullmatch(text):
        within = _parse(_NOT_NUMBER.sub(" ", text).strip())
        raise InvalidPhone(text, words=within is not None)
    number = _parse(text)
    if number is None or not _digits_kept(text, number):
        raise InvalidPhone(text)
    stored = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number.extension:
        stored += EXTENSION + number.extension
    return stored


def _mainland_mobile(text: str) -> str | None:
    """The stored form of a mainland mobile written the common way, or None: ask the library."""
    match = _MOBILE_WRITTEN.fullmatch(text.strip()) if text else None
    if match is None:
        return None
    national = "".join(match.groups())
    if _CN_MOBILE.fullmatch(national) and _CN_NUMBER.fullmatch(national):
        return "+86" + national
    return None


def _digits_kept(text: str, number: PhoneNumber) -> bool:
    """Whether every digit written is in the number: the national number and its extension,
    after nothing but an international prefix, the country code and a trunk 0."""
    written = _NON_DIGITS.sub("", text)
    national = phonenumbers.national_significant_number(number) + (number.extension or "")
    return re.fullmatch(rf"(?:00)?(?:{number.country_code})?0?{national}", written) is not None


def normalised_or_none(text: str) -> str | None:
    """`normalise`, or None for what is not a number (look-ups of what was typed so far)."""
    try:
        return normalise(text) or None
    except InvalidPhone:
        return None


def _parse(text: str) -> PhoneNumber | None:
    text = _EXTENSION_WORDS.sub(" ext ", text)
    number = _valid(text)
    if number is None and (match := _TRAILING_EXTENSION.match(text)):
        number = _valid(match["number"])
        if (
            number is not None
            and phonenumbers.number_type(number) in _LANDLINE
            and number.extension is None
        ):
            number.extension = match["extension"]
        else:
            number = None
    if number is not None and len(number.extension or "") > EXTENSION_DIGITS:
        return None
    return number


def _valid(text: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def display(stored: str) -> str:
    """How staff read a stored number; what does not parse is shown as it is."""
    if not stored:
        return ""
    number = _valid(stored) if _NUMBER_ALONE.fullmatch(stored) else None
    if number is None:
        return stored  # a value kept from before numbers were checked, words and all
    style = (
        PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == REGION
        else PhoneNumberFormat.INTERNATIONAL
    )
    extension, number.extension = number.extension, None
    shown = phonenumbers.format_number(number, style)
    if extension:
        shown = _("%(number)s ext. %(extension)s") % {"number": shown, "extension": extension}
    return shown

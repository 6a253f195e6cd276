"""Text the system itself writes into records is stored in the company's language."""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


def company_language() -> str:
    """The company's language (settings.LANGUAGE_CODE) as a supported language code."""
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def in_company_language(message: str | Promise) -> str:
    """`message` translated into the company's language, whatever the request speaks."""
    with translation.override(company_language()):
        return str(message)

"""Text the system itself writes into records is stored in the company's language."""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


def in_company_language(message: str | Promise) -> str:
    """`message` translated into settings.LANGUAGE_CODE, whatever the current request speaks."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)

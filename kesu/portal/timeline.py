"""What a customer reads of a complaint's timeline: the portal's page and the API's answer to
a customer account show the same rows, in the same words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kesu.complaints.choices import EventType
from kesu.complaints.models import Complaint
from kesu.complaints.queries import customer_events

# How the customer's page names what happened; other events keep their timeline name.
_THEIR_WORDS = {
    EventType.NOTE: gettext_lazy("Message from customer service"),
    EventType.ATTACH: gettext_lazy("A file for you"),
}
_MY_WORDS = {
    EventType.ADD_INFO: gettext_lazy("Your message"),
    EventType.ATTACH: gettext_lazy("You added a file"),
    EventType.CONFIRM: gettext_lazy("Your confirmation"),
    EventType.APPEAL: gettext_lazy("Your appeal"),
    EventType.WITHDRAW: gettext_lazy("You withdrew the complaint"),
    EventType.RETURN_VISIT: gettext_lazy("Your answers to the survey"),
}


def customer_timeline(complaint: Complaint) -> list[dict]:
    """What the customer sees: messages meant for them and what they sent, never internal
    notes. Each row: `at`, `type`, `title` (in the customer's words), `text`, `mine`."""
    rows = []
    for event in customer_events(complaint):
        data = event.data or {}
        mine = data.get("by") == "customer"
        words = _MY_WORDS if mine else _THEIR_WORDS
        text = event.comment
        if event.type == EventType.ATTACH:
            text = data.get("name", "")
        rows.append(
            {
                "at": event.at,
                "type": event.type,
                "title": str(words.get(event.type) or EventType(event.type).label),
                "text": text,
                "mine": mine,
            }
        )
    return rows

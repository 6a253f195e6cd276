"""Who is told what, when a timeline event is appended (SPEC §7).

`on_event` is called by the domain layer inside the transaction that appended the event
(every action, registration, and the deadline sweeper). It only writes outbox rows; delivery
happens after the commit.
"""


def on_event(complaint, event) -> None:
    """Queue the notifications that `event` on `complaint` calls for."""

"""Loading the demo: staff, then the planned complaints (idempotent; `kesu demo`, `kesu serve
--demo`).
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kesu.accounts.actions import create_user
from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import actions
from kesu.complaints.choices import (
    State,
)
from kesu.complaints.models import Complaint
from kesu.demo.cast import DEMO_PASSWORD, DEMO_PREFIX, INTAKE_BY_CHANNEL, REGIONAL, STAFF, Demo
from kesu.demo.compose import Record, compose_record
from kesu.demo.handling_texts import DUPLICATE_PREFIX
from kesu.demo.plan import Slot, plan_slots
from kesu.demo.story import Story
from kesu.demo.texts import CHANNEL_SOURCE
from kesu.site.defaults import load_defaults


def _ensure_staff(demo: Demo) -> int:
    """Create the demo staff that are missing; returns how many were created."""
    existing = {u.username: u for u in User.objects.filter(username__startswith=DEMO_PREFIX)}
    created = 0
    hashed = ""
    for username, name, role, code, _title in STAFF:
        user = existing.get(username)
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)  # hash once: hashing is slow
            user = create_user(
                username,
                role=role,
                department=demo.departments[code],
                name=name,
                email=f"{username}@example.com",
            )
            user.password = hashed
            user.save(update_fields=["password"])
            created += 1
        demo.add_user(user)
    return created


def demo_complaints():
    """The complaints registered by demo staff."""
    return Complaint.objects.filter(registered_by__username__startswith=DEMO_PREFIX)


def load_demo(count: int = 300, seed: int = 20261121) -> dict[str, Any]:
    """Create the demo staff and register and drive `count` complaints (see the module doc).

    Returns what was done: created/existing complaint counts, staff created, complaints per
    state, the demo logins and their password, and the seconds it took.
    """
    started = time.monotonic()
    load_defaults()
    demo = Demo()
    with transaction.atomic():
        staff_created = _ensure_staff(demo)
    existing = demo_complaints().count()
    missing = max(0, count - existing)
    if missing:
        now = timezone.now()
        # a batch that tops up an earlier, smaller demo gets its own stream of chance
        plan_rng = random.Random(f"{seed}:{existing}")  # noqa: S311 (demo data, not secrets)
        slots = plan_slots(missing, plan_rng, now)
        records: dict[int, Record] = {}
        for position, slot in enumerate(slots):
            rng = random.Random(f"{seed}:{existing}:{position}")  # noqa: S311
            if slot.merge_into is not None:
                records[position] = _duplicate(records[slot.merge_into], slot)
            else:
                records[position] = compose_record(slot, rng, demo.categories)
            with transaction.atomic():  # one complaint, all its actions, or nothing
                _tell(demo, position, slot, records[position], rng)
    states = dict(demo_complaints().values_list("state").annotate(n=Count("id")))
    return {
        "created": missing,
        "existing": existing,
        "skipped": missing == 0,
        "staff_created": staff_created,
        "by_state": {state: states.get(state, 0) for state in State},
        "users": [
            (username, name, Role(role).label, demo.departments[code].name, title)
            for username, name, role, code, title in STAFF
        ],
        "password": DEMO_PASSWORD,
        "seconds": time.monotonic() - started,
    }


def _duplicate(original: Record, slot: Slot) -> Record:
    """The same customer reporting the same problem again (to be merged)."""
    slot.category = original.new.category.code
    slot.kind = original.new.kind
    description = original.new.description
    for source in CHANNEL_SOURCE.values():
        description = description.removeprefix(source)
    new = replace(
        original.new,
        channel=slot.channel,
        description=DUPLICATE_PREFIX + description,
        extra_event_data={"source": "demo"},
    )
    return replace(original, new=new, registrar=INTAKE_BY_CHANNEL.get(slot.channel, "demo_kefu1"))


def _tell(demo: Demo, position: int, slot: Slot, record: Record, rng: random.Random) -> None:
    new = record.new
    registrar = demo.users[record.registrar]
    if registrar.role == Role.HANDLER:
        new.department = demo.departments[record.department]
    if new.sensitive:
        new.accused = demo.users[REGIONAL[record.region]]
    complaint, _created = actions.register(
        new,
        actor=registrar,
        severity=record.severity,
        severity_reason=record.severity_reason,
        registered_at=slot.registered_at,
    )
    demo.numbers[position] = complaint.number
    Story(demo, slot, record, complaint, rng).run()

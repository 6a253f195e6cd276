"""The demo's plan: which complaint ends where, by which path, registered when."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kesu.complaints.choices import (
    OPEN_STATES,
    Channel,
    Kind,
    State,
)
from kesu.demo.handling_texts import ON_SPOT_CATEGORIES
from kesu.demo.texts import (
    CATEGORY_WEIGHT,
    CHANNEL_WEIGHT,
    LEVEL1_CHANNELS,
    LEVEL2_CATEGORIES,
    LEVEL3_CATEGORIES,
    SHORT_PATH_TEXTS,
)

# the plan: which complaint ends where, and by which path

# flags that must have happened before a complaint may stop at its target state
MILESTONES = frozenset(
    {
        "reject",
        "verify_fail",
        "not_satisfied",
        "appeal_policy",
        "appeal_quality",
        "qa_reopen",
        "undeterminable",
        "visit",
    }
)


@dataclass(frozen=True)
class _Scenario:
    key: str
    target: State
    flags: frozenset[str]
    weight: int
    exits: tuple[State, ...] = ()  # where a withdrawal or invalidation happens


def _s(key, target, flags=(), weight=1, exits=()) -> _Scenario:
    return _Scenario(key, target, frozenset(flags), weight, tuple(exits))


SCENARIOS = [
    _s("registered", State.REGISTERED, weight=4),
    _s("registered_escalated", State.REGISTERED, {"escalate"}),
    _s("accepted", State.ACCEPTED, weight=4),
    _s("investigating", State.INVESTIGATING, weight=3),
    _s("investigating_visited", State.INVESTIGATING, {"visit"}, 2),
    _s("investigating_major", State.INVESTIGATING, {"major", "visit"}),
    _s("awaiting_qa", State.INVESTIGATING, {"undeterminable"}, 2),
    _s("planning", State.PLANNING, weight=3),
    _s("planning_after_rejection", State.PLANNING, {"reject"}),
    _s("appeal_open", State.PLANNING, {"appeal_policy"}),
    _s("plan_approval", State.PLAN_APPROVAL, weight=3),
    _s("plan_approval_major", State.PLAN_APPROVAL, {"major"}),
    _s("plan_approval_resubmitted", State.PLAN_APPROVAL, {"reject"}),
    _s("treating", State.TREATING, weight=5),
    _s("treating_rework", State.TREATING, {"verify_fail"}),
    _s("verifying", State.VERIFYING, weight=2),
    _s("verifying_major", State.VERIFYING, {"major"}),
    _s("confirming", State.CONFIRMING, weight=3),
    _s("return_visit", State.RETURN_VISIT, weight=3),
    _s("closed", State.CLOSED, weight=26),
    _s("closed_major", State.CLOSED, {"major"}, 3),
    _s("closed_filed", State.CLOSED, {"minor"}, 3),
    _s("closed_cosmetic", State.CLOSED, {"cosmetic"}),
    _s("closed_rejected_plan", State.CLOSED, {"reject"}, 4),
    _s("closed_failed_verification", State.CLOSED, {"verify_fail"}, 3),
    _s("closed_not_satisfied", State.CLOSED, {"not_satisfied"}, 3),
    _s("closed_undeterminable", State.CLOSED, {"undeterminable"}, 4),
    _s("closed_escalated", State.CLOSED, {"escalate"}, 3),
    _s("closed_anonymous", State.CLOSED, {"anonymous"}, 2),
    _s("closed_sensitive", State.CLOSED, {"sensitive"}, 2),
    _s("closed_appeal_policy", State.CLOSED, {"appeal_policy"}),
    _s("closed_appeal_quality", State.CLOSED, {"appeal_quality"}),
    _s("closed_qa_reopen", State.CLOSED, {"qa_reopen"}),
    _s("closed_reclassified", State.CLOSED, {"reclassify"}, 2),
    _s("closed_reassigned", State.CLOSED, {"assign"}, 2),
    _s("on_spot", State.CLOSED, {"on_spot"}, 6),
    _s("answered", State.CLOSED, {"answer"}, 7),
    _s("suggestion", State.CLOSED, {"answer", "suggestion"}, 2),
    _s(
        "withdrawn",
        State.WITHDRAWN,
        weight=4,
        exits=(State.REGISTERED, State.ACCEPTED, State.INVESTIGATING, State.TREATING),
    ),
    _s("invalid", State.INVALID, weight=4, exits=(State.ACCEPTED, State.INVESTIGATING)),
    _s("merged", State.MERGED, weight=3),
]

# how long ago complaints that stop in each state were registered (days)
AGE_DAYS = {
    State.REGISTERED: (0, 2),
    State.ACCEPTED: (0, 3),
    State.INVESTIGATING: (1, 10),
    State.PLANNING: (3, 20),
    State.PLAN_APPROVAL: (3, 20),
    State.TREATING: (5, 30),
    State.VERIFYING: (10, 40),
    State.CONFIRMING: (10, 40),
    State.RETURN_VISIT: (10, 45),
    State.MERGED: (0, 10),
}
HISTORY_DAYS = 180


@dataclass
class Slot:
    scenario: _Scenario
    registered_at: datetime
    exit_at: State | None = None
    severity: int = 2
    kind: Kind = Kind.COMPLAINT
    category: str = ""
    channel: Channel = Channel.PHONE
    merge_into: int | None = None  # position of the target in the sorted plan
    short_path: tuple[Kind, str, str, str, str] | None = None

    @property
    def flags(self) -> frozenset[str]:
        return self.scenario.flags

    @property
    def target(self) -> State:
        return self.scenario.target


def pick(rng: random.Random, weighted: dict[Any, int]) -> Any:
    options = list(weighted)
    return rng.choices(options, weights=[weighted[o] for o in options])[0]


def _covering(rng: random.Random, options: list, used: Counter, weights: dict) -> Any:
    """An option not used yet if there is one (so small demos cover everything), else by weight."""
    unused = [o for o in options if not used[o]]
    chosen = rng.choice(unused) if unused else pick(rng, {o: weights.get(o, 1) for o in options})
    used[chosen] += 1
    return chosen


def _registered_at(rng: random.Random, target: State, now: datetime) -> datetime:
    low, high = AGE_DAYS.get(target, (3, HISTORY_DAYS))
    day = timezone.localtime(now) - timedelta(days=rng.randint(low, high))
    at = day.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59), second=0, microsecond=0)
    if at >= now:
        at = now - timedelta(minutes=rng.randint(5, 180))
    return at


def plan_slots(count: int, rng: random.Random, now: datetime) -> list[Slot]:
    scenarios = SCENARIOS[:count] + rng.choices(
        SCENARIOS, weights=[s.weight for s in SCENARIOS], k=max(0, count - len(SCENARIOS))
    )
    slots = [
        Slot(
            scenario,
            _registered_at(rng, scenario.target, now),
            exit_at=rng.choice(scenario.exits) if scenario.exits else None,
        )
        for scenario in scenarios
    ]
    slots.sort(key=lambda slot: slot.registered_at)
    merge_targets: set[int] = set()
    for position, slot in enumerate(slots):
        if slot.target == State.MERGED:
            open_before = [
                earlier
                for earlier in range(position)
                if slots[earlier].target in OPEN_STATES and slots[earlier].exit_at is None
            ]
            fresh = [p for p in open_before if p not in merge_targets]
            if fresh or open_before:
                slot.merge_into = rng.choice((fresh or open_before)[-6:])
                merge_targets.add(slot.merge_into)
            else:  # nothing open to merge into: the customer withdraws
                slot.scenario = next(s for s in SCENARIOS if s.key == "withdrawn")
                slot.exit_at = State.REGISTERED
    used_categories: Counter = Counter()
    used_channels: Counter = Counter()
    for slot in slots:
        if slot.merge_into is not None:
            slot.channel = pick(rng, CHANNEL_WEIGHT)
            continue
        _classify(slot, rng, used_categories, used_channels)
    return slots


def _classify(slot: Slot, rng: random.Random, categories: Counter, channels: Counter) -> None:
    """Kind, severity, category and channel of one planned complaint."""
    flags = slot.flags
    if "answer" in flags or (slot.target == State.REGISTERED and rng.random() < 0.2):
        wanted = Kind.SUGGESTION if "suggestion" in flags else None
        texts = [t for t in SHORT_PATH_TEXTS if wanted is None or t[0] == wanted]
        unused = [t for t in texts if not categories[t[1]]]
        slot.short_path = rng.choice(unused or texts)
        slot.kind, slot.category, slot.severity = slot.short_path[0], slot.short_path[1], 3
        categories[slot.category] += 1
        options = list(CHANNEL_WEIGHT)
        slot.channel = _covering(rng, options, channels, CHANNEL_WEIGHT)
        return
    slot.severity = _severity(slot, rng)
    slot.category = _covering(rng, _categories(slot), categories, CATEGORY_WEIGHT)
    if "on_spot" in flags:
        options = [Channel.PHONE, Channel.ON_SITE, Channel.CHAT, Channel.WECHAT]
    elif "anonymous" in flags:
        options = [Channel.LETTER, Channel.WEB, Channel.EMAIL, Channel.PHONE]
    elif slot.severity == 1 and (
        any(not channels[c] for c in LEVEL1_CHANNELS) or rng.random() < 0.4
    ):
        options = LEVEL1_CHANNELS
    else:
        options = list(CHANNEL_WEIGHT)
    weights = {**CHANNEL_WEIGHT, **dict.fromkeys(LEVEL1_CHANNELS, 1)}
    slot.channel = _covering(rng, options, channels, weights)


def _severity(slot: Slot, rng: random.Random) -> int:
    flags = slot.flags
    if "major" in flags:
        return 1
    if flags & {"minor", "cosmetic"}:
        return 3
    needs_approval = slot.target == State.PLAN_APPROVAL or flags & {
        "reject",
        "undeterminable",
        "appeal_quality",
        "reclassify",
        "assign",
    }
    if needs_approval:
        return 1 if rng.random() < 0.25 else 2
    if flags & {"on_spot", "anonymous"}:
        return rng.choice([2, 3, 3])
    if flags & {"sensitive", "appeal_policy"}:
        return rng.choice([1, 3, 3, 3])
    return rng.choices([1, 2, 3], weights=[15, 50, 35])[0]


def _categories(slot: Slot) -> list[str]:
    flags = slot.flags
    if flags & {"undeterminable", "appeal_quality", "assign", "cosmetic"}:
        return ["product_quality"]
    if "sensitive" in flags:
        return ["staff_conduct"]
    if "appeal_policy" in flags:
        return ["business_policy", "price_dispute", "service_quality"]
    if "on_spot" in flags:
        return ON_SPOT_CATEGORIES[2 if slot.severity <= 2 else 3]
    if slot.severity == 3:
        return LEVEL3_CATEGORIES
    if slot.severity == 2:
        return LEVEL2_CATEGORIES
    return LEVEL2_CATEGORIES + LEVEL3_CATEGORIES

"""`kesu demo`: demo staff and complaints, driven through the real workflow to every state."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from kesu.accounts.models import User
from kesu.complaints.choices import (
    FINAL_STATES,
    OPEN_STATES,
    Channel,
    Determination,
    EventType,
    Kind,
    Severity,
    SkipReason,
    State,
)
from kesu.complaints.models import Attachment, Category, ComplaintEvent, Plan, PlanStatus
from kesu.demo.cast import DEMO_PASSWORD, STAFF
from kesu.demo.compose import demo_jpeg
from kesu.demo.loader import demo_complaints, load_demo
from kesu.demo.texts import (
    CATEGORY_TEXTS,
    COSMETIC_TEXTS,
    LEVEL2_CATEGORIES,
    LEVEL3_CATEGORIES,
    PRODUCT_TEXTS,
    PRODUCTS,
    PROJECTS,
)
from kesu.site.defaults import LEVEL1_WORDS, LEVEL2_WORDS

pytestmark = pytest.mark.django_db

COUNT = 120


@pytest.fixture
def demo(db):
    return load_demo(count=COUNT)


def test_demo_reaches_every_state_category_channel_kind_and_severity(demo):
    complaints = demo_complaints()
    assert demo["created"] == complaints.count() == COUNT

    assert set(complaints.values_list("state", flat=True)) == set(State)
    assert set(complaints.values_list("category__code", flat=True)) == set(
        Category.objects.values_list("code", flat=True)
    )
    assert set(complaints.values_list("channel", flat=True)) == set(Channel)
    assert set(complaints.values_list("kind", flat=True)) == set(Kind)
    assert set(complaints.values_list("severity", flat=True)) == set(Severity)
    assert demo["by_state"] == {state: complaints.filter(state=state).count() for state in State}

    events = set(ComplaintEvent.objects.values_list("type", flat=True))
    side_paths = {
        EventType.REJECT_PLAN,
        EventType.QA_DETERMINE,
        EventType.APPEAL,
        EventType.REOPEN,
        EventType.ESCALATE,
        EventType.RECLASSIFY,
        EventType.ASSIGN,
        EventType.RESOLVE_ON_SPOT,
        EventType.ANSWER,
        EventType.SKIP_RETURN_VISIT,
        EventType.MERGED_IN,
        EventType.ATTACH,
        EventType.NOTE,
    }
    assert side_paths <= events
    verify = ComplaintEvent.objects.filter(type=EventType.VERIFY)
    assert {e.data["passed"] for e in verify} == {True, False}
    confirm = ComplaintEvent.objects.filter(type=EventType.CONFIRM)
    assert {e.data["satisfied"] for e in confirm} == {True, False}
    assert set(
        complaints.exclude(return_visit_skip="").values_list("return_visit_skip", flat=True)
    ) == set(SkipReason)
    assert complaints.filter(anonymous=True).exists()
    assert complaints.exclude(complainant_org="").exists()
    assert complaints.exclude(product_model="").exclude(batch_no="").exists()
    assert complaints.exclude(project_name="").exclude(project_location="").exists()


def test_every_demo_complaint_is_consistent_with_its_timeline(demo):
    for c in demo_complaints().select_related("merged_into", "category"):
        events = list(c.events.order_by("id"))
        assert events, c.number
        assert events[0].type == EventType.REGISTER and events[0].to_state == State.REGISTERED
        changes = [e for e in events if e.from_state and e.from_state != e.to_state]
        assert len(events) >= len(changes) + 1
        for before, after in itertools.pairwise(events):
            assert after.from_state == before.to_state, (c.number, after.type)
        assert events[-1].to_state == c.state, c.number

        if c.state in FINAL_STATES:
            assert c.closed_at is not None, c.number
        else:
            assert c.closed_at is None, c.number
        if c.state == State.CLOSED and c.kind == Kind.COMPLAINT:  # not answered inquiries
            assert c.return_visit_settled, c.number
        if c.state == State.MERGED:
            assert c.merged_into is not None and c.merged_into.state in OPEN_STATES
            assert c.merged_into.events.filter(type=EventType.MERGED_IN).exists()
        else:
            assert c.merged_into is None
        if c.owner_id is None:
            assert not c.events.filter(type=EventType.ACCEPT).exists()
        if c.determination and c.category.product_determination:
            assert c.attachments.exists(), c.number
        if c.kind != Kind.COMPLAINT:
            assert c.severity == Severity.LEVEL_3

    for plan in Plan.objects.filter(status=PlanStatus.APPROVED).select_related("complaint"):
        if plan.complaint.severity == Severity.LEVEL_1:
            assert plan.decided_by.role == "executive" and plan.expert_review
    awaiting_qa = demo_complaints().filter(
        state=State.INVESTIGATING, determination=Determination.UNDETERMINABLE, qa_determination=""
    )
    assert awaiting_qa.exists()


def test_demo_timelines_happen_over_time_not_at_loading(demo):
    from django.utils import timezone

    from kesu.complaints.models import ComplaintEvent

    long_ago = timezone.now() - timezone.timedelta(days=20)
    old_closed = demo_complaints().filter(state="closed", registered_at__lt=long_ago)
    assert old_closed.exists()
    for complaint in old_closed:
        times = list(
            ComplaintEvent.objects.filter(complaint=complaint).values_list("at", flat=True)
        )
        assert times == sorted(times)
        assert times[-1] < timezone.now() - timezone.timedelta(days=1)  # closed back then
        assert complaint.closed_at == times[-1] or complaint.closed_at <= times[-1]


def test_the_first_sweep_after_loading_has_no_old_deadline_steps_to_announce(demo):
    from kesu.deadlines.sweep import sweep
    from kesu.notifications.models import Notification

    breaches = ComplaintEvent.objects.filter(type=EventType.DEADLINE_BREACHED)
    assert breaches.exists()  # the demo's past has its breaches, for the statistics
    for event in breaches.select_related("complaint")[:50]:  # each where the sweeper puts it
        later = event.complaint.events.filter(id__gt=event.id).values_list("at", flat=True)
        assert all(at >= event.at for at in later)

    report = sweep()

    assert sum(report.steps.values()) == 0
    assert not Notification.objects.exists()


def test_loading_again_adds_nothing_and_a_larger_count_tops_up(demo):
    events, users = ComplaintEvent.objects.count(), User.objects.count()

    again = load_demo(count=COUNT)

    assert again["skipped"] and again["created"] == 0 and again["staff_created"] == 0
    assert demo_complaints().count() == COUNT
    assert (ComplaintEvent.objects.count(), User.objects.count()) == (events, users)

    more = load_demo(count=COUNT + 10)
    assert more["created"] == 10 and demo_complaints().count() == COUNT + 10


def test_the_same_seed_gives_the_same_complaints(db):
    def content():
        return list(
            demo_complaints()
            .order_by("registered_at", "id")
            .values_list("title", "description", "channel", "category__code", "state")
        )

    with transaction.atomic():
        load_demo(count=40, seed=7)
        first = content()
        transaction.set_rollback(True)
    assert not demo_complaints().exists()
    load_demo(count=40, seed=7)
    assert content() == first


def test_the_command_prints_the_states_and_the_logins(db):
    out = StringIO()
    call_command("demo", count=25, stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username, *_rest in STAFF:
        assert username in text
    user = User.objects.get(username="demo_kefu1")
    assert user.check_password(DEMO_PASSWORD)
    assert set(
        User.objects.filter(username__startswith="demo_").values_list("role", flat=True)
    ) == {
        "intake",
        "handler",
        "dept_head",
        "qa",
        "executive",
    }

    out = StringIO()
    call_command("demo", count=25, stdout=out)
    assert "25" in out.getvalue() and demo_complaints().count() == 25


def test_demo_photos_are_jpegs_the_attachment_check_accepts(db):
    load_demo(count=30)
    photo = demo_jpeg("caption")
    assert photo.startswith(b"\xff\xd8\xff") and photo.endswith(b"\xff\xd9")
    assert demo_jpeg("a") != demo_jpeg("b")
    stored = Attachment.objects.filter(complaint__in=demo_complaints())
    assert stored.exists()
    assert set(stored.values_list("content_type", flat=True)) == {"image/jpeg"}
    first = stored.first()
    with first.file.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"


def test_texts_carry_only_the_severity_words_they_mean():
    """Level-3 categories read as level 3 and level-2 ones as level 2 unless made level 1."""
    fixed_words = [p[0] for family in PRODUCTS.values() for p in family] + [
        name for region in PROJECTS.values() for name, _city in region
    ]

    def text_of(t):
        return "".join([t.title, t.description, t.demand, *t.parts])

    for code in LEVEL3_CATEGORIES:
        for t in CATEGORY_TEXTS[code]:
            words = [w for w in LEVEL1_WORDS + LEVEL2_WORDS if w in text_of(t)]
            assert not words, (code, t.title, words)
    level2 = [t for code in LEVEL2_CATEGORIES for t in CATEGORY_TEXTS.get(code, [])]
    level2 += [t for texts in PRODUCT_TEXTS.values() for t in texts] + COSMETIC_TEXTS
    for t in level2:
        assert not [w for w in LEVEL1_WORDS if w in text_of(t)], t.title
    for word in fixed_words:
        assert not [w for w in LEVEL1_WORDS + LEVEL2_WORDS if w in word], word

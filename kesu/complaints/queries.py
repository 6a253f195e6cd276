"""Reads shared by the API, the web views and the CLI."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from kesu.accounts.choices import SEES_EVERYTHING, Role
from kesu.accounts.models import Department, User
from kesu.complaints.authority import department_scope
from kesu.complaints.choices import OPEN_STATES, EventType
from kesu.complaints.models import Category, Complaint, ComplaintEvent
from kesu.core import keyset, phones
from kesu.core.memo import forget_on_change, memo
from kesu.core.trees import path_up, subtree
from kesu.policies.queries import current_policy


def visible_complaints(user: User) -> QuerySet[Complaint]:
    """Row visibility of SPEC §1 for staff, plus: nobody but executives sees a complaint
    about themselves. Customers read theirs through `customer_complaints`, not here: what
    staff see of a complaint is not what its customer sees."""
    qs = Complaint.objects.all()
    if not user.is_active:
        return qs.none()
    if user.role not in (Role.EXECUTIVE, Role.ADMIN):
        qs = qs.exclude(accused=user)
    if user.role in SEES_EVERYTHING:
        return qs
    if user.role in (Role.HANDLER, Role.DEPT_HEAD):
        return qs.filter(Q(department__in=department_scope(user)) | Q(owner=user))
    return qs.none()


def customer_complaints(account: User) -> QuerySet[Complaint]:
    """The complaints a customer account reads (SPEC §1: own complaints only): exactly those
    its "my complaints" page in the portal opens — a private link saved to the account, not
    revoked, and not expired (the complaint finished no longer ago than
    `Policy.customer_link_days`)."""
    if not account.is_active or account.role != Role.CUSTOMER:
        return Complaint.objects.none()
    linked = Complaint.objects.filter(
        customer_links__account=account, customer_links__revoked_at__isnull=True
    ).values("pk")
    # the real clock, as the portal's links use it
    expired_before = timezone.now() - timedelta(days=current_policy().customer_link_days)
    return Complaint.objects.filter(pk__in=linked).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=expired_before)
    )


# What the customer did themselves is theirs to see, though staff file it as internal.
CUSTOMERS_OWN_ACTS = (EventType.APPEAL, EventType.WITHDRAW, EventType.RETURN_VISIT)


def customer_events(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """The timeline as its customer reads it (the portal's page and the API): what was meant
    for them and what they did themselves, never internal notes."""
    shown = Q(customer_visible=True) | Q(type__in=CUSTOMERS_OWN_ACTS, data__by="customer")
    return complaint.events.filter(shown).order_by("id")


def with_phone(qs: QuerySet[Complaint], phone: str) -> QuerySet[Complaint]:
    """Complaints of this phone number however it is written ("139-0000-0009" finds the
    stored "+8613900000009", see `phones`; a value kept from before numbers were checked is
    found as it was written), through the partial `complaint_phone` index: SQLite uses a
    partial index only when the query repeats its condition as a literal, which a bound
    parameter (`phone = ?`) is not; without it, "newest first" walks the whole table for a
    number that has no complaint."""
    written = phone.strip()
    keys = sorted({written, phones.normalised_or_none(written) or written})
    indexed = RawSQL('NOT ("complaints_complaint"."complainant_phone" = \'\')', (), BooleanField())
    return qs.filter(indexed, complainant_phone__in=keys)


def narrowed(
    qs: QuerySet[Complaint],
    *,
    states: Iterable[str] = (),
    category: Category | None = None,
    severity: int | None = None,
    registered_from: datetime | None = None,
    registered_to: datetime | None = None,
) -> QuerySet[Complaint]:
    """The filters the API's list and the workspace's inbox share."""
    states = list(states)
    if states:
        qs = qs.filter(state__in=states)
        if set(states) <= OPEN_STATES:
            # Only open states asked for: say it the way the partial index is written, so
            # that SQLite can use `complaint_open_work` (open ⟺ closed_at IS NULL).
            qs = qs.filter(closed_at__isnull=True)
    if category is not None:
        qs = qs.filter(category__in=category_family(category))
    if severity:
        qs = qs.filter(severity=severity)
    if registered_from:
        qs = qs.filter(registered_at__gte=registered_from)
    if registered_to:
        qs = qs.filter(registered_at__lte=registered_to)
    return qs


def complaint_by_number(number: str) -> Complaint | None:
    """One complaint with what its page and its API record show, or None."""
    return (
        Complaint.objects.select_related(
            "category", "department", "owner", "registered_by", "merged_into"
        )
        .filter(number=number)
        .first()
    )


SEARCHED_FIELDS = (
    "title",
    "description",
    "complainant_name",
    "complainant_phone",
    "complainant_org",
    "order_no",
    "batch_no",
    "product_model",
    "project_name",
)
# What a customer's own search reads: what their view of a complaint shows (`CustomerComplaint`)
# — not the order, batch, model or project, which staff recorded.
CUSTOMER_SEARCHED_FIELDS = ("title", "description")


MERGE_CHAIN_LIMIT = 5  # merged into a complaint that was merged in turn …


def surviving(complaint: Complaint) -> Complaint:
    """The complaint a merged one lives on in (following merges), or itself."""
    for _step in range(MERGE_CHAIN_LIMIT):
        if complaint.merged_into_id is None:
            break
        complaint = Complaint.objects.get(pk=complaint.merged_into_id)
    return complaint


def search_text(
    qs: QuerySet[Complaint], q: str, fields: tuple[str, ...] = SEARCHED_FIELDS
) -> QuerySet[Complaint]:
    """A complaint number finds that complaint; other words are looked for in `fields`."""
    q = q.strip()
    if not q:
        return qs
    exact = qs.filter(number=q)
    if exact.exists():
        return exact
    text = Q()
    for field in fields:
        text |= Q(**{f"{field}__icontains": q})
    if "complainant_phone" in fields and (phone := phones.normalised_or_none(q)):
        text |= Q(complainant_phone=phone)  # a number as typed finds it as stored
    return qs.filter(text)


def keyset_page(
    qs: QuerySet[Complaint], cursor: str | None, limit: int
) -> tuple[list[Complaint], str | None]:
    """One page, newest registration first, and the cursor of the next page (None at the end)."""
    return keyset.page(qs, "registered_at", cursor, limit)


def categories_by_code() -> dict[str, Category]:
    """Every category, keyed by code, with its default department loaded (cached)."""

    def load() -> dict[str, Category]:
        rows = Category.objects.select_related("default_department")
        return {category.code: category for category in rows}

    return memo("categories:by_code", load)


def departments_by_code() -> dict[str, Department]:
    """Active departments keyed by code (cached)."""
    return memo(
        "categories:departments",
        lambda: {d.code: d for d in Department.objects.filter(active=True)},
    )


def categories_by_id() -> dict[int, Category]:
    return memo("categories:by_id", lambda: {c.pk: c for c in categories_by_code().values()})


def category_ancestors(category_id: int) -> list[int]:
    """The category and those above it, nearest first."""
    parents = {pk: c.parent_id for pk, c in categories_by_id().items()}
    return path_up(category_id, parents)


def category_default_department(category: Category) -> Department | None:
    """The category's default department, or the nearest ancestor's."""
    by_id = categories_by_id()
    for pk in category_ancestors(category.pk):
        node = by_id.get(pk, category)
        if node.default_department_id is not None:
            return node.default_department
    return None


def category_family(category: Category) -> frozenset[int]:
    """The category and every category below it."""
    return subtree(category.pk, ((c.pk, c.parent_id) for c in categories_by_code().values()))


forget_on_change("categories:", Category, Department)

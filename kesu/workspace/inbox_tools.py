"""What the inbox does with the complaints it lists, beyond opening one: bulk actions, the
export of the list, saved views, and telling the person what others changed meanwhile."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints import payloads
from kesu.complaints.authority import ancestors
from kesu.complaints.choices import TRANSITIONS, Action
from kesu.complaints.errors import ComplaintError
from kesu.complaints.importing import EXPORT_ORDER, RegisterFileError, write_csv, write_xlsx
from kesu.complaints.models import Complaint
from kesu.complaints.queries import visible_complaints
from kesu.complaints.schemas import ACTION_SCHEMAS, FROM_FORM
from kesu.workspace.action_forms import validation_errors
from kesu.workspace.inbox import Filters, Tab
from kesu.workspace.models import SAVED_VIEW_NAME, SAVED_VIEW_QUERY, SavedView

BULK_LIMIT = 100  # complaints one bulk action takes (a page is 25; "more" adds pages)
EXPORT_LIMIT = 10_000  # rows one download writes; a larger list is narrowed first
POLL_LIMIT = 200  # rows the inbox's freshness poll compares


def inbox_query(tab: Tab | None, q: str, filters: Filters) -> str:
    """The inbox's state as a query string (tab, words, filters, order): what a saved view
    keeps, what the export and the bulk form carry back."""
    head = urlencode({k: v for k, v in (("tab", tab.value if tab else ""), ("q", q)) if v})
    return "&".join(part for part in (head, filters.query()) if part)


# ------------------------------------------------------------------------------ export


class ExportRefused(Exception):
    """The list cannot be written as asked; the message says why, in the person's language."""


class ExportTooLarge(ExportRefused):
    pass


def export_response(
    complaints: QuerySet[Complaint], fmt: str | None, *, order: Sequence[str] = EXPORT_ORDER
) -> HttpResponse:
    """The complaints as a download, in the columns `kesu export` writes (and `kesu import`
    reads), by the same code; refused (ExportTooLarge) past EXPORT_LIMIT rows, and
    (ExportRefused) when a text is longer than an Excel cell holds."""
    if complaints.order_by()[: EXPORT_LIMIT + 1].count() > EXPORT_LIMIT:
        raise ExportTooLarge(
            _("The list has more than %(limit)d complaints: narrow it before exporting.")
            % {"limit": EXPORT_LIMIT}
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        try:
            write_xlsx(complaints, buffer, order=order)
        except RegisterFileError as error:
            raise ExportRefused(str(error)) from error
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"complaints-{stamp}.xlsx"
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel reads the Chinese text as UTF-8 with the BOM
        write_csv(complaints, response, order=order)
        name = f"complaints-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ------------------------------------------------------------------------------ bulk actions

BULK_ACTIONS = (Action.ASSIGN, Action.ESCALATE, Action.NOTE)


def bulk_actions_for(user: User) -> list[Action]:
    """The bulk actions the person's role takes at all; each complaint is judged by the guard."""
    return [a for a in BULK_ACTIONS if user.role in TRANSITIONS[a].roles]


@dataclass(frozen=True)
class RowResult:
    number: str
    done: bool
    reason: str = ""


def picked(values: list[str]) -> list[tuple[str, int | None]]:
    """The rows ticked in the inbox: "number@version" (the version the person saw)."""
    rows = []
    for value in values[:BULK_LIMIT]:
        number, _sep, version = value.partition("@")
        rows.append((number.strip(), int(version) if version.isdigit() else None))
    return [(n, v) for n, v in dict(rows).items() if n]


def bulk_fields(action: Action, data: QueryDict) -> dict:
    """The one form's fields, as the action's payload (without the version)."""
    text = data.get("text", "")
    if action == Action.ASSIGN:
        return {"owner": data.get("owner", ""), "reason": text}
    if action == Action.NOTE:
        return {"text": text, "visibility": data.get("visibility") or "internal"}
    return {"reason": text}


def check_fields(action: Action, fields: dict) -> list[str]:
    """What is wrong with the form itself, before any complaint is touched."""
    try:
        ACTION_SCHEMAS[action].model_validate(fields, context=FROM_FORM)
    except ValidationError as error:
        return list(validation_errors(error).values())
    return []


def apply_bulk(
    action: Action, fields: dict, rows: list[tuple[str, int | None]], user: User
) -> list[RowResult]:
    """Take the action on each picked complaint in turn, through the same path as one
    action from its page (`payloads.perform`: the guard, one transaction and one event per
    complaint); each refusal is reported with its row, and stops nothing else."""
    visible = set(
        visible_complaints(user)
        .filter(number__in=[n for n, _v in rows])
        .values_list("number", flat=True)
    )
    results = []
    for number, version in rows:
        if number not in visible:
            results.append(RowResult(number, False, _("No such complaint, or not one of yours.")))
            continue
        try:
            payload = ACTION_SCHEMAS[action].model_validate(
                {**fields, "expected_version": version}, context=FROM_FORM
            )
            payloads.perform(action, number, payload, user)
        except ComplaintError as error:
            reasons = [str(error.message), *(str(m) for m in error.fields.values())]
            results.append(RowResult(number, False, " ".join(reasons)))
        except ValidationError as error:
            results.append(RowResult(number, False, " ".join(validation_errors(error).values())))
        else:
            results.append(RowResult(number, True))
    return results


# ------------------------------------------------------------------------------ saved views


def saved_views_for(user: User) -> list[SavedView]:
    """The person's own views and those a head shared with their department or one above
    it — a head's department is the scope of their work (`department_scope`) — (one query)."""
    above = ancestors(user.department_id) if user.department_id else []
    return list(SavedView.objects.filter(Q(owner=user) | Q(department_id__in=above)))


def may_share(user: User) -> bool:
    return user.role == Role.DEPT_HEAD and user.department_id is not None


def normalised_query(query: str) -> str:
    """A posted query as the inbox itself writes it: only its own parameters, each parsed
    (what does not parse is dropped, as the inbox drops it)."""
    given = QueryDict(query)
    tab = given.get("tab", "")
    return inbox_query(
        Tab(tab) if tab in {t.value for t in Tab} else None,
        given.get("q", "").strip()[:100],
        Filters.from_query(given),
    )


def save_view(user: User, name: str, query: str, share: bool) -> SavedView:
    """Keep the inbox's query under a name (ValueError with a message when it may not)."""
    query = normalised_query(query)
    name = name.strip()
    if not name:
        raise ValueError(_("Give the view a name."))
    if len(name) > SAVED_VIEW_NAME:
        raise ValueError(
            _("A view's name has at most %(limit)d characters.") % {"limit": SAVED_VIEW_NAME}
        )
    if len(query) > SAVED_VIEW_QUERY:
        raise ValueError(_("These filters are too long to save."))
    department = user.department if share and may_share(user) else None
    try:
        with transaction.atomic():  # a savepoint: the unique name refused, nothing else lost
            return SavedView.objects.create(
                owner=user, name=name, query=query, department=department
            )
    except IntegrityError:
        raise ValueError(_("You already have a view named “%(name)s”.") % {"name": name}) from None


def delete_view(user: User, pk: int) -> bool:
    deleted, _rows = SavedView.objects.filter(owner=user, pk=pk).delete()
    return bool(deleted)


# ------------------------------------------------------------------------------ freshness


@dataclass(frozen=True)
class Change:
    number: str
    title: str
    state: str
    at: datetime | None = None
    by: str = ""


def changed_rows(user: User, seen: list[str]) -> list[Change]:
    """Which of the rows the person is looking at ("id:version") changed since: one query
    on the primary key (a row the person may no longer see is left out)."""
    versions: dict[int, int] = {}
    for value in seen[:POLL_LIMIT]:
        pk, _sep, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            versions[int(pk)] = int(version)
    if not versions:
        return []
    now = (
        visible_complaints(user)
        .filter(pk__in=versions)
        .values_list("pk", "version", "number", "title", "state")
    )
    return [
        Change(number, title, Complaint(state=state).get_state_display())
        for pk, version, number, title, state in now
        if version != versions[pk]
    ]

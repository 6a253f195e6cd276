"""The customer's pages: the public form, the private link's page, "my complaints".

Thin: forms parse, `kesu.portal.actions` acts, the domain decides. A wrong, revoked or other
complaint's link is a plain 404; an expired one says so (410).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.choices import Role
from kesu.accounts.models import User
from kesu.complaints.attachments import refused_files
from kesu.complaints.authority import allowed_actions
from kesu.complaints.choices import FINAL_STATES, Action, State, Visibility
from kesu.complaints.customer import CustomerActor
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Attachment, Complaint
from kesu.core.client import client_address
from kesu.policies.queries import current_policy
from kesu.portal import actions, links, stages, summary, throttle
from kesu.portal.forms import (
    AddInfoForm,
    AppealForm,
    ConfirmForm,
    PublicComplaintForm,
    SurveyForm,
    WithdrawForm,
)
from kesu.portal.models import CustomerLink
from kesu.portal.timeline import customer_timeline

# what a customer may do from the page, and the form of each
CUSTOMER_ACTIONS = {
    Action.ADD_INFO: AddInfoForm,
    Action.CONFIRM: ConfirmForm,
    Action.RETURN_VISIT: SurveyForm,
    Action.APPEAL: AppealForm,
    Action.WITHDRAW: WithdrawForm,
}


def submit(request: HttpRequest) -> HttpResponse:
    form = PublicComplaintForm(request.POST or None, request.FILES or None)
    status, refusal, retry_after = 200, "", 0
    if request.method == "POST":
        if form.is_robot:
            return render(request, "portal/refused.html", status=400)
        address = throttle.address_key(client_address(request.META))
        contacts = throttle.contact_keys(form.contacts())
        try:  # every attempt from the address counts; a contact, once it was accepted
            throttle.check_and_count(address + contacts, address)
        except throttle.Throttled as limit:
            status, retry_after = 429, limit.seconds
            refusal = _(
                "You have sent many complaints in a short time. Please try again in "
                "%(minutes)s minutes, or call our hotline."
            ) % {"minutes": limit.minutes}
        else:
            if form.is_valid():
                try:
                    _complaint, link = actions.submit(
                        form.cleaned_data,
                        form.cleaned_data["files"],
                        account=_customer_account(request),
                    )
                except ComplaintError as error:
                    status = error.status if error.code != ErrorCode.INVALID else 422
                    _fields_to_form(form, error)
                else:
                    throttle.count(contacts)
                    return redirect(reverse("portal:track", args=[links.token(link)]) + "?new=1")
            else:
                status = 422
    context = {
        "form": form,
        "refusal": refusal,
        "max_mb": round(settings.KESU_ATTACHMENT_MAX_BYTES / 1048576),
    }
    response = render(request, "portal/submit.html", context, status=status)
    if retry_after:  # when the oldest counted submission leaves its window
        response["Retry-After"] = str(retry_after)
    return response


def track(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(request, token)
    if isinstance(link, HttpResponse):
        return link
    return _page(request, link)


@require_POST
def track_do(request: HttpRequest, token: str, what: str) -> HttpResponse:
    link = _link_or_404(request, token)
    if isinstance(link, HttpResponse):
        return link
    if _staff(request):  # staff record what the customer says in the workspace, as themselves
        refusal = _(
            "You are logged in as staff: record the customer's answer on the complaint "
            "page, not through the customer's link."
        )
        return _page(request, link, refusal=refusal, status=403)
    if what == "save":
        account = _customer_account(request)
        if account is not None:
            links.save_to_account(link, account)
        return redirect(reverse("portal:track", args=[token]))
    try:
        action = Action(what)
    except ValueError:
        raise Http404 from None
    if action not in CUSTOMER_ACTIONS:
        raise Http404
    form = _form(action, link.complaint, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, link, {action: form}, status=422)
    account = _customer_account(request)
    data = form.cleaned_data
    try:
        if action == Action.ADD_INFO:
            files = data.get("files", [])
            actions.add_information(link, data["message"], files, account=account)
        elif action == Action.CONFIRM:
            actions.confirm(
                link, satisfied=data["satisfied"], comment=data["comment"], account=account
            )
        elif action == Action.RETURN_VISIT:
            actions.answer_survey(
                link, answers=form.answers(), remarks=data["remarks"], account=account
            )
        elif action == Action.APPEAL:
            actions.appeal(link, reason=data["reason"], account=account)
        elif action == Action.WITHDRAW:
            actions.withdraw(link, reason=data["reason"], account=account)
    except ComplaintError as error:
        if error.code == ErrorCode.INVALID:
            _fields_to_form(form, error)
            return _page(request, link, {action: form}, status=422)
        link.complaint.refresh_from_db()
        return _page(
            request, link, refusal=_refusal_text(action, link.complaint, error), status=error.status
        )
    return redirect(reverse("portal:track", args=[token]) + f"?done={action.value}")


def track_file(request: HttpRequest, token: str, attachment_id: int) -> HttpResponseBase:
    link = _link_or_404(request, token)
    if isinstance(link, HttpResponse):
        return link
    attachment = Attachment.objects.filter(
        pk=attachment_id, complaint=link.complaint, visibility=Visibility.CUSTOMER
    ).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.name,
        as_attachment=not attachment.is_image,
    )


@login_required
def my_complaints(request: HttpRequest) -> HttpResponse:
    account = request.user
    if not isinstance(account, User) or account.role != Role.CUSTOMER:
        return redirect("inbox")
    rows = [(link, links.token(link)) for link in links.for_account(account)]
    return render(request, "portal/my.html", {"rows": rows})


# ------------------------------------------------------------------------------------------


def _link_or_404(request: HttpRequest, token: str) -> CustomerLink | HttpResponse:
    try:
        link = links.find(token)
    except links.LinkNotFound:
        raise Http404 from None
    except links.Expired:
        return render(request, "portal/expired.html", status=410)
    return link


def _customer_account(request: HttpRequest):
    user = request.user
    if user.is_authenticated and user.role == Role.CUSTOMER and user.is_active:
        return user
    return None


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.role != Role.CUSTOMER


def _form(action: Action, complaint: Complaint, data=None, files=None):
    form_class = CUSTOMER_ACTIONS[action]
    if form_class is SurveyForm:
        return SurveyForm(data, files, scale=current_policy().survey_scale)
    form = form_class(data, files)
    if form_class is AddInfoForm and complaint.state in FINAL_STATES:
        del form.fields["files"]  # an archived record takes words, no new files
    return form


def _fields_to_form(form, error: ComplaintError) -> None:
    for name, message in error.fields.items():
        form.add_error(name if name in form.fields else None, str(message))
    if not error.fields:
        form.add_error(None, str(error.message))


def _refusal_text(action: Action, complaint: Complaint, error: ComplaintError) -> str:
    if action == Action.RETURN_VISIT and complaint.return_visit_settled:
        return _("This survey has already been answered. Thank you!")
    return str(error.message)


def _page(request, link: CustomerLink, forms=None, *, refusal: str = "", status: int = 200):
    complaint = link.complaint
    customer = CustomerActor(complaint.pk)
    may = [a for a in allowed_actions(complaint, customer) if a in CUSTOMER_ACTIONS]
    forms = forms or {}  # the guard already leaves out a survey that was answered
    shown = {a: forms.get(a) or _form(a, complaint) for a in may}
    token = links.token(link)
    context = {
        "complaint": complaint,
        "token": token,
        "stage": stages.stage_of(complaint.state),
        "steps": stages.STEPS,
        "timeline": customer_timeline(complaint),
        "agreed": summary.facts(complaint),
        "attachments": Attachment.objects.filter(
            complaint=complaint, visibility=Visibility.CUSTOMER
        ),
        "refused_files": refused_files(
            complaint.events.filter(data__has_key="refused_files").order_by("id"),
            for_customer=True,
        ),
        "forms": shown,
        "Action": Action,
        "refusal": refusal,
        "new": request.GET.get("new") == "1",
        "done": request.GET.get("done", ""),
        "link_url": request.build_absolute_uri(reverse("portal:track", args=[token])),
        "survey_answered": complaint.state == State.RETURN_VISIT and complaint.return_visit_settled,
        "may_save": link.account_id is None and _customer_account(request) is not None,
    }
    return render(request, "portal/track.html", context, status=status)

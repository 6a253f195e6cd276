"""Received mail for administrators: what became of each message, and what Kesu did not
register — automatic mail, mail held for review, unreadable bytes, refused files — with its
raw message to download, to process again after a fix, or to register anyway."""

from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kesu.core.admin_views import ReadOnlyAdmin
from kesu.mail import intake, review
from kesu.mail.choices import NOT_REGISTERED, OVERRIDABLE, MailOutcome
from kesu.mail.models import InboundMail


class KeptFilter(admin.SimpleListFilter):
    title = _("kept")
    parameter_name = "kept"

    def lookups(self, request, model_admin):
        return [
            ("not_registered", _("Not registered (kept raw)")),
            ("raw", _("Any raw message kept")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "not_registered":
            return queryset.filter(outcome__in=NOT_REGISTERED)
        if self.value() == "raw":
            return queryset.filter(raw__isnull=False)
        return queryset


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = (
        "received_at",
        "outcome",
        "sender",
        "subject",
        "complaint",
        "reason_line",
        "raw_link",
    )
    list_filter = ("outcome", KeptFilter, "source")
    search_fields = ("message_id", "sender", "subject")
    date_hierarchy = "received_at"
    exclude = ("raw",)
    readonly_fields = (
        "message_id",
        "received_at",
        "source",
        "sender",
        "subject",
        "outcome",
        "complaint",
        "reason",
        "raw_link",
    )
    actions = ["process_again", "register_anyway"]

    def get_queryset(self, request):
        # The list never reads the raw bytes: it only says whether they are kept.
        return (
            super()
            .get_queryset(request)
            .defer("raw")
            .annotate(has_raw=Q(raw__isnull=False))
            .select_related("complaint")
        )

    def changelist_view(self, request, extra_context=None):
        held = review.held_count()
        if held:
            messages.warning(
                request,
                ngettext(
                    "%(count)s message is held for review: the mail server judged it spam or "
                    "forged. It was not answered. Register it anyway if it is a customer's.",
                    "%(count)s messages are held for review: the mail server judged them spam "
                    "or forged. They were not answered. Register one anyway if it is a "
                    "customer's.",
                    held,
                )
                % {"count": held},
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("reason"))
    def reason_line(self, obj: InboundMail) -> str:
        first = obj.reason.strip().splitlines()[0] if obj.reason.strip() else ""
        return first[:120] or "—"

    @admin.display(description=_("raw message"))
    def raw_link(self, obj: InboundMail):
        if not getattr(obj, "has_raw", obj.raw is not None):
            return "—"
        url = reverse("admin:mail_inboundmail_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download .eml"))

    def get_urls(self):
        raw = path(
            "<int:pk>/raw/",
            self.admin_site.admin_view(self.raw_view),
            name="mail_inboundmail_raw",
        )
        return [raw, *super().get_urls()]

    def raw_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise Http404
        record = get_object_or_404(InboundMail, pk=pk, raw__isnull=False)
        response = HttpResponse(bytes(record.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="mail-{pk}-{record.outcome}.eml"'
        return response

    @admin.action(description=_("Process the selected messages again"))
    def process_again(self, request, queryset):
        done = 0
        for record in queryset.filter(outcome__in=NOT_REGISTERED, raw__isnull=False):
            if intake.retry(record).outcome in (MailOutcome.COMPLAINT, MailOutcome.REPLY):
                done += 1
        messages.info(
            request, _("%(count)s message(s) were registered this time.") % {"count": done}
        )

    @admin.action(description=_("Register the selected messages anyway (they are a person's)"))
    def register_anyway(self, request, queryset):
        done = 0
        for record in queryset.filter(outcome__in=OVERRIDABLE, raw__isnull=False):
            if intake.register_anyway(record).outcome in (
                MailOutcome.COMPLAINT,
                MailOutcome.REPLY,
            ):
                done += 1
        messages.info(request, _("%(count)s message(s) were registered.") % {"count": done})

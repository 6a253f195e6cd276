"""Received mail for administrators: what became of each message, and what Kesu did not
register — automatic mail, mail held for review, unreadable bytes, refused files — with its
raw message to download, to process again after a fix, to register anyway, or to dismiss as
not a customer's. The three decisions need the permission to change received mail
(`mail.change_inboundmail`); each records who took it and when (`kesu.mail.intake`). The
rows themselves are never edited here."""

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

REGISTERED = (MailOutcome.COMPLAINT, MailOutcome.REPLY)


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
        "review",
        "raw_link",
    )
    list_filter = ("outcome", KeptFilter, "review", "source")
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
        "review",
        "reviewed_by",
        "reviewed_at",
        "before_review",
    )
    actions = ["process_again", "register_anyway", "dismiss"]

    def has_change_permission(self, request, obj=None):
        # No row is edited here (ReadOnlyAdmin); the permission to change received mail is
        # the right to take the decisions below, asked of the list (obj None) only.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    def get_queryset(self, request):
        # The list never reads the raw bytes: it only says whether they are kept.
        return (
            super()
            .get_queryset(request)
            .defer("raw")
            .annotate(has_raw=Q(raw__isnull=False))
            .select_related("complaint", "reviewed_by")
        )

    def changelist_view(self, request, extra_context=None):
        held = review.held_count()
        if held.count:
            messages.warning(
                request,
                ngettext(
                    "%(count)s message is held for review: the mail server judged it spam or "
                    "forged. It was not answered. Register it anyway if it is a customer's, "
                    "or dismiss it.",
                    "%(count)s messages are held for review: the mail server judged them spam "
                    "or forged. They were not answered. Register one anyway if it is a "
                    "customer's, or dismiss it.",
                    held.count,
                )
                % {"count": held.shown},
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
        assert record.raw is not None  # asked for
        response = HttpResponse(bytes(record.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="mail-{pk}-{record.outcome}.eml"'
        return response

    @admin.action(description=_("Process the selected messages again"), permissions=["change"])
    def process_again(self, request, queryset):
        done = 0
        for record in queryset.filter(outcome__in=NOT_REGISTERED, raw__isnull=False):
            if intake.retry(record, actor=request.user).outcome in REGISTERED:
                done += 1
        messages.info(
            request, _("%(count)s message(s) were registered this time.") % {"count": done}
        )

    @admin.action(
        description=_("Register the selected messages anyway (they are a person's)"),
        permissions=["change"],
    )
    def register_anyway(self, request, queryset):
        done = 0
        for record in queryset.filter(outcome__in=OVERRIDABLE, raw__isnull=False):
            if intake.register_anyway(record, actor=request.user).outcome in REGISTERED:
                done += 1
        messages.info(request, _("%(count)s message(s) were registered.") % {"count": done})

    @admin.action(
        description=_("Not a customer's mail: dismiss the selected messages (they are kept)"),
        permissions=["change"],
    )
    def dismiss(self, request, queryset):
        done = sum(
            intake.dismiss(record, actor=request.user)
            for record in queryset.filter(outcome__in=NOT_REGISTERED, complaint__isnull=True)
        )
        messages.info(request, _("%(count)s message(s) were dismissed.") % {"count": done})

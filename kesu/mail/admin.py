"""Received mail for administrators, with the quarantine: download the raw message, or
process it again after a fix."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kesu.core.admin_views import ReadOnlyAdmin
from kesu.mail import intake
from kesu.mail.choices import MailOutcome
from kesu.mail.models import InboundMail


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "outcome", "sender", "subject", "complaint", "raw_link")
    list_filter = ("outcome", "source")
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
        "error",
        "raw_link",
    )
    actions = ["process_again"]

    @admin.display(description=_("raw message"))
    def raw_link(self, obj: InboundMail):
        if obj.outcome != MailOutcome.QUARANTINED:
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
        record = InboundMail.objects.get(pk=pk)
        response = HttpResponse(bytes(record.raw or b""), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="quarantine-{pk}.eml"'
        return response

    @admin.action(description=_("Process the selected quarantined messages again"))
    def process_again(self, request, queryset):
        done = 0
        for record in queryset.filter(outcome=MailOutcome.QUARANTINED):
            if intake.retry(record).outcome != MailOutcome.QUARANTINED:
                done += 1
        messages.info(request, _("%(count)s message(s) were read this time.") % {"count": done})

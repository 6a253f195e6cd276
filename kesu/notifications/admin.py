"""Admin: webhooks and wording are configuration; the outbox is looked at, never edited."""

from django.contrib import admin, messages
from django.db import models
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kesu.core.admin_views import ReadOnlyAdmin, ReadOnlyInline
from kesu.notifications import tasks
from kesu.notifications.models import (
    Delivery,
    DepartmentWebhook,
    Notification,
    NotificationTemplate,
    ReplyTemplate,
)
from kesu.notifications.templates import DEFAULTS
from kesu.notifications.wording import FIELDS


@admin.register(DepartmentWebhook)
class DepartmentWebhookAdmin(admin.ModelAdmin):
    list_display = ("department", "name", "style", "url", "active")
    list_filter = ("active", "style")
    list_select_related = ("department",)
    search_fields = ("name", "url", "department__name", "department__code")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "language", "subject", "active")
    list_filter = ("active", "language", "code")
    readonly_fields = ("built_in",)
    fields = ("code", "language", "active", "subject", "body", "built_in")

    @admin.display(description=_("built-in wording (in this language)"))
    def built_in(self, obj):
        if obj is None or not obj.code:
            return "—"
        default = DEFAULTS.get(obj.code)
        if default is None:
            return "—"
        with translation.override(obj.language or None):
            return format_html("<b>{}</b><br><pre>{}</pre>", default.subject, default.body)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("active", "category")
    list_select_related = ("category",)
    search_fields = ("name", "body")
    readonly_fields = ("fields_to_use",)
    fields = ("name", "category", "position", "active", "body", "fields_to_use")

    @admin.display(description=_("fields filled in from the complaint"))
    def fields_to_use(self, obj):
        rows = ((f"{{{{ {name} }}}}", meaning) for name, meaning in FIELDS.items())
        return format_html("<ul>{}</ul>", format_html_join("", "<li><code>{}</code> {}</li>", rows))


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ("attempt", "at", "ok", "status_code", "duration_ms", "error", "response")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "channel",
        "template",
        "recipient",
        "address",
        "complaint",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("state", "channel", "template")
    search_fields = ("=complaint__number", "address", "recipient__username")
    list_select_related = ("recipient", "complaint")
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]
    actions = ["retry_now"]

    @admin.action(description=_("Try the failed notifications again now"))
    def retry_now(self, request, queryset):
        # The admin has no change permission on rows; retrying is the outbox's own write.
        queued = tasks.retry_now(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification will be sent again.",
                "%(count)d notifications will be sent again.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )

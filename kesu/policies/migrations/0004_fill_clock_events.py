"""Existing time-limit rows get the start and stop events of the defaults (data only)."""

from django.db import migrations

TREATING = ["approve_plan", "propose_plan@treating"]
EVENTS = {
    "first_contact": (["register"], ["contact", "visit", "resolve_on_spot"]),
    "dispatch": (["register"], ["accept", "resolve_on_spot"]),
    "inquiry_answer": (["register"], ["answer"]),
    "site_visit": (["accept"], ["visit", "determine"]),
    "sampling_arrival": (["contact:sampling_needed"], ["visit"]),
    "escalated_reply": (
        ["escalate"],
        ["note", "propose_plan", "approve_plan", "reject_plan", "assign", "customer_update"],
    ),
    "escalated_approval": (["escalate@plan_approval"], ["approve_plan", "reject_plan"]),
    "plan_reply": (TREATING, ["customer_update", "contact"]),
    "treatment_report": (TREATING, ["progress", "customer_update"]),
    "progress_update": (TREATING, ["progress", "customer_update", "complete"]),
}


def fill(apps, schema_editor):
    ClockPolicy = apps.get_model("policies", "ClockPolicy")
    for row in ClockPolicy.objects.filter(starts_on=[], stops_on=[]):
        if row.clock in EVENTS:
            row.starts_on, row.stops_on = EVENTS[row.clock]
            row.save(update_fields=["starts_on", "stops_on"])


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_clock_events_and_ladder")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

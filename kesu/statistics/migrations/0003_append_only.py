"""The database refuses to change a statistics event or a frozen month's facts once written."""

from django.db import migrations

from kesu.core.append_only import Trigger

EVENTS = Trigger("statistics_statisticsevent", "statisticsevent_append_only")
FROZEN = Trigger("statistics_frozenfact", "frozenfact_append_only")


def install(apps, schema_editor):
    EVENTS.install(apps, schema_editor)
    FROZEN.install(apps, schema_editor)


def uninstall(apps, schema_editor):
    EVENTS.uninstall(apps, schema_editor)
    FROZEN.uninstall(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("statistics", "0002_rollups")]
    operations = [migrations.RunPython(install, uninstall)]

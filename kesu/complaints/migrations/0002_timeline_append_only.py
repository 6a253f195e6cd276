"""The database itself refuses to change a timeline event once written."""

from django.db import migrations

from kesu.complaints.append_only import install, uninstall


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]

"""People with the `admin` role enter the admin site (is_staff), whoever created them.

The admin site's add form did not set it, so an administrator made there could not log in to
configure; their permissions come from the role (kesu.accounts.permissions).
"""

from django.db import migrations


def admins_are_staff(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin", is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_field_labels")]

    operations = [migrations.RunPython(admins_are_staff, migrations.RunPython.noop)]

"""Staff phone numbers (where SMS notifications go) in the stored form every entrance now
writes (E.164, see kesu.core.phones). A value that is not a valid number is left as it was:
nothing is destroyed. Going back leaves the numbers normalised (they mean the same)."""

from django.db import migrations


def normalise_phones(apps, schema_editor):
    from kesu.core.phones import normalised_or_none

    User = apps.get_model("accounts", "User")
    for pk, value in list(User.objects.exclude(phone="").values_list("pk", "phone")):
        stored = normalised_or_none(value)
        if stored is not None and stored != value:
            User.objects.filter(pk=pk).update(phone=stored)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_admin_role_enters_the_admin_site"),
    ]

    operations = [
        migrations.RunPython(normalise_phones, migrations.RunPython.noop, elidable=True),
    ]

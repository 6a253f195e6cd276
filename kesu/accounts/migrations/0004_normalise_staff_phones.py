"""Staff phone numbers (where SMS notifications go) in the stored form every entrance now
writes (E.164, see kesu.core.phones).

As complaints/0013 does: a value is rewritten only when it is a number and nothing more (what
is dropped is formatting alone, every digit is kept); one that is not a number, or has more
beside it (`张先生 13900000009`), is left exactly as it was. Going back changes nothing: the
stored form is the same number with only its formatting changed, which the earlier code read
as that number too; the spacing typed is all that is not restored."""

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

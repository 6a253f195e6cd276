"""Complainants' phone numbers in the stored form every entrance now writes (E.164, see
kesu.core.phones), so that "139-0000-0009" and "13900000009" are one caller.

A value that is not a valid number (`abc`, `12`, a landline without its area code) is left as
it was: nothing is destroyed, and staff still see what was typed. Each distinct value is read
once and its rows changed with one UPDATE. Going back leaves the numbers normalised (they
mean the same).
"""

from django.db import migrations


def normalise_phones(apps, schema_editor):
    from kesu.core.phones import normalised_or_none

    Complaint = apps.get_model("complaints", "Complaint")
    written = (
        Complaint.objects.exclude(complainant_phone="")
        .order_by()
        .values_list("complainant_phone", flat=True)
        .distinct()
    )
    for value in list(written):
        stored = normalised_or_none(value)
        if stored is not None and stored != value:
            Complaint.objects.filter(complainant_phone=value).update(complainant_phone=stored)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0012_customer_link_sent"),
    ]

    operations = [
        migrations.RunPython(normalise_phones, migrations.RunPython.noop, elidable=True),
    ]

"""Complainants' phone numbers in the stored form every entrance now writes (E.164, see
kesu.core.phones), so that "139-0000-0009" and "13900000009" are one caller.

A value is rewritten only when it is a number and nothing more: what the rewrite drops is
formatting alone — spaces, - ( ) + . / 、, the words for an extension (转, 分机, ext), a trunk
0 or an international prefix — and every digit written is in the stored number
(`phones.normalise` refuses anything else). Any other value is left exactly as it was: not a
number (`abc`, `12`, a landline without its area code), or a number with more beside it
(`张先生 13900000009`, `办公室 010-12345678`, `13900000009a`); staff see it whole. Each
distinct value is read once and its rows changed with one UPDATE.

Going back changes nothing, and rightly: the stored form is the same number with only the
formatting changed, which the code before this migration read as that number too (it stored
whatever was typed, and `+8613900000009` is one way of typing it). The spacing someone chose
when typing is all that is not restored.
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

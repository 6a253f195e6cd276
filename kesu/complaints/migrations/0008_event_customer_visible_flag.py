"""Timeline events keep their visibility as a flag instead of text (8 bytes less per event).

The append-only trigger is lifted for the copy and installed again at the end (SQLite drops
a table's triggers when the column removal rebuilds it).
"""

from django.db import migrations, models

from kesu.complaints.append_only import install, uninstall


def copy_forward(apps, schema_editor):
    schema_editor.execute(
        "UPDATE complaints_complaintevent SET customer_visible = (visibility = 'customer')"
    )


def copy_backward(apps, schema_editor):
    schema_editor.execute(
        "UPDATE complaints_complaintevent SET visibility = "
        "CASE WHEN customer_visible THEN 'customer' ELSE 'internal' END"
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_deadlines_and_waiting")]

    operations = [
        migrations.RunPython(uninstall, install),
        migrations.AddField(
            model_name="complaintevent",
            name="customer_visible",
            field=models.BooleanField(default=False, verbose_name="visible to the customer"),
        ),
        migrations.RunPython(copy_forward, copy_backward),
        migrations.RemoveField(model_name="complaintevent", name="visibility"),
        migrations.RunPython(install, uninstall),
    ]

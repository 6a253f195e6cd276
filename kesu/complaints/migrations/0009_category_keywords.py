from django.db import migrations, models


def fill_default_keywords(apps, schema_editor):
    """Existing installations get the default words for the default categories."""
    from kesu.core.defaults import CATEGORY_KEYWORDS

    Category = apps.get_model("complaints", "Category")
    for code, words in CATEGORY_KEYWORDS.items():
        Category.objects.filter(code=code, keywords="").update(keywords=words)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_event_customer_visible_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="keywords",
            field=models.CharField(
                blank=True,
                help_text="Words that suggest this category while a complaint is typed, "
                "separated by spaces.",
                max_length=500,
                verbose_name="keywords",
            ),
        ),
        migrations.RunPython(fill_default_keywords, migrations.RunPython.noop),
    ]

"""Fill the pre-aggregated counts of the editions answered before they existed."""

from django.db import migrations


def fill(apps, schema_editor):
    # The service's SQL works on the tables, which 0003 made; real models give it the questions.
    from exports.services.results_counts import rebuild
    from surveys.models import Edition

    for edition in Edition.objects.filter(responses__isnull=False).distinct():
        rebuild(edition)


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0003_resultcount"),
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

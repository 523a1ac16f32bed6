"""When a wave was actually closed; filled from the lifecycle log for the waves closed before."""

from django.db import migrations, models


def fill_from_the_log(apps, schema_editor):
    Edition = apps.get_model("surveys", "Edition")
    EditionEvent = apps.get_model("backoffice", "EditionEvent")
    for edition in Edition.objects.filter(status__in=["closed", "published"]):
        closing = (
            EditionEvent.objects.filter(edition=edition, kind="status", to_status="closed")
            .order_by("-created_at")
            .first()
        )
        if closing is not None:
            Edition.objects.filter(pk=edition.pk).update(closed_at=closing.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ('backoffice', '0001_initial'),
        ('surveys', '0005_backoffice_moved_to_own_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='edition',
            name='closed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='close le'),
        ),
        migrations.RunPython(fill_from_the_log, migrations.RunPython.noop),
    ]

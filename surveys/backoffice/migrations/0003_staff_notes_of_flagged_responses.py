"""`Response.staff_notes` for the responses flagged or corrected before the field existed."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def mark_flagged_and_corrected(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    ResponseComment = apps.get_model("backoffice", "ResponseComment")
    AnswerAudit = apps.get_model("backoffice", "AnswerAudit")
    flags = ResponseComment.objects.filter(response=OuterRef("pk"), kind="flag")
    corrections = (
        AnswerAudit.objects.filter(response=OuterRef("pk"), changed_by__isnull=False)
        .exclude(reason="")
    )
    Response.objects.filter(Q(Exists(flags)) | Q(Exists(corrections))).update(staff_notes=True)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_conversation_threads"),
        ("surveys", "0010_response_staff_notes"),
    ]

    operations = [
        migrations.RunPython(mark_flagged_and_corrected, migrations.RunPython.noop),
    ]

"""The back-office's models moved to the `backoffice` app (surveys.backoffice): gone from this
app's state only; their tables stay where they are (`backoffice.0001_initial` takes them over).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_answer_numbers_idx'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='editionevent',
            name='by',
        ),
        migrations.RemoveField(
            model_name='editionevent',
            name='edition',
        ),
        migrations.RemoveField(
            model_name='responsecomment',
            name='author',
        ),
        migrations.RemoveField(
            model_name='responsecomment',
            name='response',
        ),
        migrations.RemoveField(
            model_name='responseevent',
            name='by',
        ),
        migrations.RemoveField(
            model_name='responseevent',
            name='response',
        ),
        migrations.RemoveField(
            model_name='staffentry',
            name='entered_by',
        ),
        migrations.RemoveField(
            model_name='staffentry',
            name='response',
        ),
        migrations.DeleteModel(
            name='AnswerAudit',
        ),
        migrations.DeleteModel(
            name='EditionEvent',
        ),
        migrations.DeleteModel(
            name='ResponseComment',
        ),
        migrations.DeleteModel(
            name='ResponseEvent',
        ),
        migrations.DeleteModel(
            name='StaffEntry',
        ),
            ],
        ),
    ]

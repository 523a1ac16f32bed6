"""The results' models moved to the `results` app (exports.results): gone from this app's state
only; their tables stay where they are (`results.0001_initial` takes them over).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0004_resultcount_fill'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='resultsnapshot',
            name='edition',
        ),
        migrations.DeleteModel(
            name='ResultCount',
        ),
        migrations.DeleteModel(
            name='ResultSnapshot',
        ),
            ],
        ),
    ]

"""The results' models, taken over from the `exports` app with their tables (state only: no
data moves).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('exports', '0005_results_moved_to_own_app'),
        ('surveys', '0005_backoffice_moved_to_own_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='ResultSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('data', models.JSONField(verbose_name='agrégats')),
                ('computed_at', models.DateTimeField(verbose_name='calculés le')),
                ('duration_ms', models.PositiveIntegerField(default=0, verbose_name='durée du calcul (ms)')),
                ('computations', models.PositiveIntegerField(default=0, verbose_name='nombre de calculs')),
                ('edition', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='result_snapshot', to='surveys.edition')),
            ],
            options={
                'verbose_name': "agrégats d'une édition",
                'verbose_name_plural': 'agrégats des éditions',
                'db_table': 'exports_resultsnapshot',
            },
        ),
        migrations.CreateModel(
            name='ResultCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(max_length=20, verbose_name='type de collectivité')),
                ('tranche', models.CharField(blank=True, max_length=10, verbose_name='tranche de population')),
                ('region', models.CharField(blank=True, max_length=2, verbose_name='région')),
                ('key', models.TextField(blank=True, verbose_name='clé')),
                ('value', models.TextField(blank=True, verbose_name='valeur')),
                ('n', models.IntegerField(verbose_name='nombre')),
                ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.edition')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.question')),
            ],
            options={
                'verbose_name': 'comptage de réponses',
                'verbose_name_plural': 'comptages de réponses',
                'db_table': 'exports_resultcount',
                'indexes': [models.Index(fields=['edition', 'tranche'], name='resultcount_tranche_idx')],
                'constraints': [models.UniqueConstraint(fields=('question', 'type', 'tranche', 'region', 'key', 'value'), name='resultcount_cell_unique')],
            },
        ),
            ],
        ),
    ]

"""The back-office's models, taken over from the `surveys` app with their tables (state only:
no data moves).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('surveys', '0005_backoffice_moved_to_own_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='EditionEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('status', 'Changement de statut'), ('deadline', 'Nouvelle date de clôture')], max_length=10, verbose_name='nature')),
                ('from_status', models.CharField(blank=True, max_length=10, verbose_name='statut avant')),
                ('to_status', models.CharField(blank=True, max_length=10, verbose_name='statut après')),
                ('old_closes_at', models.DateTimeField(blank=True, null=True, verbose_name='clôture avant')),
                ('new_closes_at', models.DateTimeField(blank=True, null=True, verbose_name='clôture après')),
                ('automatic', models.BooleanField(default=False, verbose_name='automatique')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='le')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('edition', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='surveys.edition')),
            ],
            options={
                'verbose_name': "événement d'édition",
                'verbose_name_plural': 'journal des éditions',
                'db_table': 'surveys_editionevent',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ResponseComment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('flag', 'Incohérence signalée'), ('note', 'Note interne')], default='flag', max_length=5, verbose_name='nature')),
                ('body', models.TextField(verbose_name='commentaire')),
                ('question_code', models.CharField(blank=True, max_length=60, verbose_name='question concernée')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='le')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='levée le')),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_comments', to='surveys.response')),
            ],
            options={
                'verbose_name': 'commentaire de revue',
                'verbose_name_plural': 'commentaires de revue',
                'db_table': 'surveys_responsecomment',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ResponseEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('validated', 'Validée'), ('reopened', 'Rouverte'), ('corrected', "Corrigée par l'équipe"), ('entered', "Saisie par l'équipe"), ('submitted', "Envoyée par l'équipe")], max_length=10, verbose_name='nature')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='le')),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='review_events', to='surveys.response')),
            ],
            options={
                'verbose_name': 'étape de revue',
                'verbose_name_plural': 'étapes de revue',
                'db_table': 'surveys_responseevent',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='StaffEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('paper', 'Questionnaire papier'), ('phone', 'Entretien téléphonique'), ('email', 'Document reçu par courriel')], max_length=6, verbose_name='reçue par')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='saisie commencée le')),
                ('entered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('response', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='staff_entry', to='surveys.response')),
            ],
            options={
                'verbose_name': "saisie par l'équipe",
                'verbose_name_plural': "saisies par l'équipe",
                'db_table': 'surveys_staffentry',
            },
        ),
        migrations.CreateModel(
            name='AnswerAudit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question_code', models.CharField(max_length=60, verbose_name='question')),
                ('item', models.PositiveSmallIntegerField(default=0, verbose_name='élément')),
                ('old_value', models.JSONField(blank=True, null=True, verbose_name='ancienne valeur')),
                ('new_value', models.JSONField(blank=True, null=True, verbose_name='nouvelle valeur')),
                ('old_other_text', models.TextField(blank=True, verbose_name='ancienne précision')),
                ('new_other_text', models.TextField(blank=True, verbose_name='nouvelle précision')),
                ('changed_by_label', models.CharField(blank=True, max_length=200, verbose_name='auteur')),
                ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='le')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answer_audits', to='surveys.response')),
            ],
            options={
                'verbose_name': 'modification de réponse',
                'verbose_name_plural': 'historique des réponses',
                'db_table': 'surveys_answeraudit',
                'ordering': ['-changed_at', '-pk'],
                'indexes': [models.Index(fields=['response', 'changed_at'], name='surveys_ans_respons_8983ae_idx')],
            },
        ),
            ],
        ),
    ]

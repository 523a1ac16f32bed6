from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "exports.results"
    label = "results"
    verbose_name = "Résultats"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from exports.results import sheets, watchers
        from respondents.models import EmailLog
        from respondents.services.emails import email_attachments
        from respondents.signals import referential_changed
        from surveys.hooks import (
            answers_changing,
            definition_changed,
            edition_published,
            responses_loaded,
            status_changing,
        )
        from surveys.models import Edition

        answers_changing.connect(watchers.track_answers)
        status_changing.connect(watchers.track_status)
        responses_loaded.connect(watchers.rebuild_after_load, dispatch_uid="results-rebuild")
        definition_changed.connect(
            watchers.recompute_after_definition_change, dispatch_uid="results-definition"
        )
        referential_changed.connect(
            watchers.recompute_after_referential_change, dispatch_uid="results-referential"
        )
        edition_published.connect(
            watchers.freeze_at_publication, dispatch_uid="results-published-figures"
        )
        edition_published.connect(
            watchers.send_sheets_at_publication, dispatch_uid="results-sheets"
        )
        email_attachments.connect(EmailLog.Kind.RESULTS, sheets.sheet_attachments)
        post_save.connect(
            watchers.build_opendata_when_published, sender=Edition, dispatch_uid="results-opendata"
        )

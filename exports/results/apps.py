from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "exports.results"
    label = "results"
    verbose_name = "Résultats"

    def ready(self) -> None:
        from exports.results import sheets, watchers
        from respondents.models import EmailLog
        from respondents.services.emails import ATTACHMENTS
        from respondents.signals import referential_changed
        from surveys.hooks import (
            answers_changing,
            edition_published,
            responses_loaded,
            status_changing,
        )

        answers_changing.connect(watchers.track_answers)
        status_changing.connect(watchers.track_status)
        responses_loaded.connect(watchers.rebuild_after_load, dispatch_uid="results-rebuild")
        referential_changed.connect(
            watchers.recompute_after_referential_change, dispatch_uid="results-referential"
        )
        edition_published.connect(
            watchers.send_sheets_at_publication, dispatch_uid="results-sheets"
        )
        ATTACHMENTS[EmailLog.Kind.RESULTS] = sheets.sheet_attachments

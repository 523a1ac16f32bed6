from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "exports.results"
    label = "results"
    verbose_name = "Résultats"

    def ready(self) -> None:
        from exports.results import watchers
        from respondents.signals import referential_changed
        from surveys.hooks import (
            answers_changing,
            definition_changed,
            responses_loaded,
            status_changing,
        )

        answers_changing.connect(watchers.track_answers)
        status_changing.connect(watchers.track_status)
        responses_loaded.connect(watchers.rebuild_after_load, dispatch_uid="results-rebuild")
        definition_changed.connect(
            watchers.recompute_after_definition_change, dispatch_uid="results-definition"
        )
        referential_changed.connect(
            watchers.recompute_after_referential_change, dispatch_uid="results-referential"
        )

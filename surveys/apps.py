from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Questionnaires"

    def ready(self) -> None:
        from surveys import (  # noqa: F401 (protection of answered editions, compiled copies)
            compiled,
            signals,
        )

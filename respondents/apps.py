from django.apps import AppConfig


class RespondentsConfig(AppConfig):
    name = "respondents"
    verbose_name = "Collectivités et répondants"

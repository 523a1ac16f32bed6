from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "surveys.backoffice"
    label = "backoffice"
    verbose_name = "Back-office de l'équipe"

    def ready(self) -> None:
        from surveys.backoffice import audit, review
        from surveys.hooks import agent_notices, answers_changing

        answers_changing.connect(audit.agent_audit)
        agent_notices.connect(review.open_flags_for_agents)

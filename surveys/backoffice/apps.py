from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "surveys.backoffice"
    label = "backoffice"
    verbose_name = "Back-office de l'équipe"

    def ready(self) -> None:
        from surveys.backoffice import audit, conversation, review
        from surveys.hooks import agent_corrections, agent_notices, agent_reply, answers_changing

        answers_changing.connect(audit.agent_audit)
        agent_notices.connect(conversation.threads_for_agents)
        agent_corrections.connect(review.corrections_for_agents)
        agent_reply.connect(conversation.reply_as_agent)

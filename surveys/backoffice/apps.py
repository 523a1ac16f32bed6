from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "surveys.backoffice"
    label = "backoffice"
    verbose_name = "Back-office de l'équipe"

    def ready(self) -> None:
        from respondents.models import EmailLog
        from respondents.services.emails import email_attachments
        from surveys.backoffice import audit, conversation, review
        from surveys.filling.receipt import receipt_attachments
        from surveys.hooks import agent_corrections, agent_notices, agent_reply, answers_changing

        answers_changing.connect(audit.agent_audit)
        agent_notices.connect(conversation.threads_for_agents)
        agent_corrections.connect(review.corrections_for_agents)
        agent_reply.connect(conversation.reply_as_agent)
        # The answering has no application of its own: its receipt is joined to the
        # acknowledgement e-mail (sent by the access layer) from here.
        email_attachments.connect(EmailLog.Kind.RECEIPT, receipt_attachments)

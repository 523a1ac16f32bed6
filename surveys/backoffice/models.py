"""What the staff back-office records: the lifecycle log of an edition, the review of responses
(comments, and the flags agents see, each the thread of a conversation with them), the audit
trail of answers changed after submission, and the responses entered by staff from paper or
phone.

The tables keep the names they had when these models belonged to the `surveys` app.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Edition, Question

AUTOMATIC = "automatique"
EDITION_STATUS_LABELS = dict(Edition.Status.choices)


class EditionEvent(models.Model):
    """One change in the life of an edition: a status change or a new deadline."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Changement de statut")
        DEADLINE = "deadline", _("Nouvelle date de clôture")

    edition = models.ForeignKey("surveys.Edition", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("statut avant"), max_length=10, blank=True)
    to_status = models.CharField(_("statut après"), max_length=10, blank=True)
    old_closes_at = models.DateTimeField(_("clôture avant"), null=True, blank=True)
    new_closes_at = models.DateTimeField(_("clôture après"), null=True, blank=True)
    # None with `automatic`: the periodic job did it at the set time.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(_("automatique"), default=False)
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        db_table = "surveys_editionevent"  # kept from before the move
        verbose_name = _("événement d'édition")
        verbose_name_plural = _("journal des éditions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.edition.year} : {self.description}"

    @property
    def actor(self) -> str:
        if self.automatic:
            return AUTOMATIC
        return self.by.get_username() if self.by else "—"

    @property
    def description(self) -> str:
        labels = EDITION_STATUS_LABELS
        if self.kind == self.Kind.STATUS:
            return f"{labels.get(self.from_status, '—')} → {labels.get(self.to_status, '—')}"
        return "Clôture déplacée"


class ResponseComment(models.Model):
    """A staff note on a response; a flag asks the collectivité to check an inconsistency.

    A flag opens a conversation: `body` is its first message, `messages` the replies of
    agents and staff, until staff resolve it (then the agents no longer see it).
    """

    # Not a column: set for display by surveys.backoffice.conversation (as `replies`, the
    # prefetched messages).
    question: Question | None

    class Kind(models.TextChoices):
        FLAG = "flag", _("Incohérence signalée")
        NOTE = "note", _("Note interne")

    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="staff_comments"
    )
    kind = models.CharField(_("nature"), max_length=5, choices=Kind.choices, default=Kind.FLAG)
    body = models.TextField(_("commentaire"))
    question_code = models.CharField(_("question concernée"), max_length=60, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The inbox puts first the threads whose last agent reply came after staff last read them.
    last_agent_reply_at = models.DateTimeField(_("dernière réponse d'un agent"), null=True)
    staff_read_at = models.DateTimeField(_("lu par l'équipe le"), null=True, blank=True)

    class Meta:
        db_table = "surveys_responsecomment"  # kept from before the move
        verbose_name = _("commentaire de revue")
        verbose_name_plural = _("commentaires de revue")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.response}"

    @property
    def visible_to_respondents(self) -> bool:
        return self.kind == self.Kind.FLAG and self.resolved_at is None

    @property
    def unread_by_staff(self) -> bool:
        return self.last_agent_reply_at is not None and (
            self.staff_read_at is None or self.staff_read_at < self.last_agent_reply_at
        )


class ConversationMessage(models.Model):
    """A reply in the conversation of a flag, from an agent of the collectivité or from staff."""

    class AuthorKind(models.TextChoices):
        STAFF = "staff", _("Équipe du baromètre")
        AGENT = "agent", _("Agent de la collectivité")

    thread = models.ForeignKey(ResponseComment, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("auteur"), max_length=5, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agent who wrote it; erasing the contact (RGPD) leaves "Agent de la collectivité".
    contact = models.ForeignKey(
        "respondents.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message d'un échange")
        verbose_name_plural = _("messages des échanges")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} — {self.thread.response}"

    @property
    def from_staff(self) -> bool:
        return self.author_kind == self.AuthorKind.STAFF

    @property
    def signature(self) -> str:
        """Who wrote it, as the agents and the staff read it."""
        if self.from_staff:
            return "Équipe du baromètre"
        if self.contact is not None and self.contact.full_name:
            return f"{self.contact.full_name} (agent de la collectivité)"
        return "Agent de la collectivité"


class AnswerAudit(models.Model):
    """One change to an answer of a response already submitted: who, when, before and after."""

    # Not columns: set for display by surveys.backoffice.review.audit_trail.
    question: Question | None
    before: str
    after: str

    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="answer_audits"
    )
    question_code = models.CharField(_("question"), max_length=60)
    item = models.PositiveSmallIntegerField(_("élément"), default=0)
    old_value = models.JSONField(_("ancienne valeur"), null=True, blank=True)
    new_value = models.JSONField(_("nouvelle valeur"), null=True, blank=True)
    old_other_text = models.TextField(_("ancienne précision"), blank=True)
    new_other_text = models.TextField(_("nouvelle précision"), blank=True)
    # A staff member, or else the agent (kept as text: contacts may be erased later).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_label = models.CharField(_("auteur"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("le"), auto_now_add=True)
    # Why staff corrected it (asked on the correction form; shown to the agents).
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        db_table = "surveys_answeraudit"  # kept from before the move
        verbose_name = _("modification de réponse")
        verbose_name_plural = _("historique des réponses")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["response", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.question_code}[{self.item}] {self.old_value!r} → {self.new_value!r}"

    @property
    def author(self) -> str:
        if self.changed_by is not None:
            return self.changed_by.get_username()
        return self.changed_by_label or "—"


class StaffEntry(models.Model):
    """A response entered by staff on the collectivité's behalf (received on paper or by phone)."""

    class Channel(models.TextChoices):
        PAPER = "paper", _("Questionnaire papier")
        PHONE = "phone", _("Entretien téléphonique")
        EMAIL = "email", _("Document reçu par courriel")

    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="staff_entry"
    )
    channel = models.CharField(_("reçue par"), max_length=6, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("saisie commencée le"), auto_now_add=True)

    class Meta:
        db_table = "surveys_staffentry"  # kept from before the move
        verbose_name = _("saisie par l'équipe")
        verbose_name_plural = _("saisies par l'équipe")

    def __str__(self) -> str:
        return f"{self.response} ({self.get_channel_display()})"


class ResponseEvent(models.Model):
    """A step of the review of a response by staff (shown on its staff page)."""

    class Kind(models.TextChoices):
        VALIDATED = "validated", _("Validée")
        REOPENED = "reopened", _("Rouverte")
        CORRECTED = "corrected", _("Corrigée par l'équipe")
        ENTERED = "entered", _("Saisie par l'équipe")
        SUBMITTED = "submitted", _("Envoyée par l'équipe")

    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="review_events"
    )
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    # The reason of a correction; the flags a validation resolved.
    note = models.TextField(_("motif"), blank=True)

    class Meta:
        db_table = "surveys_responseevent"  # kept from before the move
        verbose_name = _("étape de revue")
        verbose_name_plural = _("étapes de revue")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.response}"

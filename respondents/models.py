"""The collectivités referential (from Etalab's découpage administratif) and their agents."""

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from respondents import classification


def normalise_name(value: str) -> str:
    """Lower-case, accent-free, punctuation-as-space form used for searching names."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in stripped)
    return " ".join(cleaned.split())


class Collectivite(models.Model):
    # Not a column: set on search results by the back office's entry search, for its template.
    response_pk: int | None

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")

    class EpciType(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")
        MET69 = "MET69", _("Métropole de Lyon")

    # The EPCI the survey counts as métropoles (`type_collectivite` = "metropole").
    METROPOLE_TYPES = classification.METROPOLE_EPCI_TYPES

    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    # INSEE code for communes, départements and régions; SIREN for EPCI (they have no INSEE code).
    code = models.CharField(_("code"), max_length=12)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    name = models.CharField(_("nom"), max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    epci_type = models.CharField(
        _("type d'EPCI"), max_length=5, choices=EpciType.choices, blank=True
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    departement_code = models.CharField(_("département"), max_length=3, blank=True)
    region_code = models.CharField(_("région"), max_length=2, blank=True)
    postcodes = models.JSONField(_("codes postaux"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="collectivite_kind_code_unique")
        ]
        # Exact-match lookups only: Meta indexes, without the pattern-ops copy PostgreSQL gets
        # for db_index; search_name keeps it, for prefix search.
        indexes = [
            models.Index(fields=["kind", "is_active"]),
            models.Index(fields=["siren"], name="collectivite_siren_idx"),
            models.Index(fields=["region_code"], name="collectivite_region_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    @property
    def type_collectivite(self) -> str:
        """The survey's `type_collectivite` code (see the spec's derived variables)."""
        return classification.type_collectivite(self.kind, self.epci_type)

    # The rules' ORM spellings, reached from the model where callers have it at hand.
    type_filter = staticmethod(classification.type_filter)
    tranche_filter = staticmethod(classification.tranche_filter)


class PostalCode(models.Model):
    """A postcode of a commune, in its own indexed table so that a code search is a lookup."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="postal_codes"
    )
    code = models.CharField(_("code postal"), max_length=5)

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "code"], name="postalcode_unique")
        ]
        indexes = [models.Index(fields=["code"], name="postalcode_code_idx")]

    def __str__(self) -> str:
        return self.code


class Contact(models.Model):
    """An agent of a collectivité; its contacts share the collectivité's single response."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="contacts"
    )
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("adresse électronique professionnelle"), db_index=True)
    opted_out_of_reminders = models.BooleanField(_("ne veut plus de relances"), default=False)
    opted_out_at = models.DateTimeField(_("désinscrit des relances le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_invited_at = models.DateTimeField(_("dernière invitation"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["collectivite__name", "last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "email"], name="contact_email_unique_per_collectivite"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_grace_period() -> timedelta:
    return timedelta(days=settings.MAGIC_LINK_GRACE_DAYS)


class Invitation(models.Model):
    """A contact's magic link to answer one edition for its collectivité.

    Only the SHA-256 of the token is stored; each e-mail that carries the link issues a new
    token, which replaces the previous one. The link is valid until it is revoked or the wave
    closes (`Edition.closes_at` plus a grace period, or the edition is closed or published).
    """

    # Editions whose links still open a session.
    # New links are issued (invitations, reminders, resends) only for these editions.
    ACTIVE_EDITION_STATUSES = ("draft", "open")

    edition = models.ForeignKey(
        "surveys.Edition", on_delete=models.CASCADE, related_name="invitations"
    )
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="invitations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_used_at = models.DateTimeField(_("première ouverture"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière ouverture"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "contact"], name="invitation_one_per_contact_and_edition"
            )
        ]
        indexes = [models.Index(fields=["edition", "collectivite"])]

    def __str__(self) -> str:
        return f"{self.contact} — {self.edition.year}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    @classmethod
    def find_by_token(cls, token: str) -> "Invitation | None":
        if not token or len(token) > 100:
            return None
        return (
            cls.objects.select_related("edition", "collectivite", "contact")
            .filter(token_hash=hash_token(token))
            .first()
        )

    def issue_token(self) -> str:
        """Give the invitation a new token (the previous link stops working) and return it."""
        token, self.token_hash = self.new_token()
        Invitation.objects.filter(pk=self.pk).update(token_hash=self.token_hash)
        return token

    @property
    def expires_at(self) -> datetime | None:
        if self.edition.closes_at is None:
            return None
        return self.edition.closes_at + link_grace_period()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        status = self.edition.status
        if status == "published":
            return True
        if status == "closed" and self.edition.closes_at is None:
            return True
        # A closed wave keeps its links until the grace period ends: agents still see their
        # drafts and the "questionnaire clos" message, and carry on if staff extend the deadline.
        expires_at = self.expires_at
        return expires_at is not None and (now or timezone.now()) > expires_at

    def is_valid(self, now: datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    def revoke(self, user=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = user
            self.save(update_fields=["revoked_at", "revoked_by"])

    def mark_used(self) -> None:
        now = timezone.now()
        self.first_used_at = self.first_used_at or now
        self.last_used_at = now
        self.save(update_fields=["first_used_at", "last_used_at"])

    @property
    def status_label(self) -> str:
        if self.is_revoked:
            return "Révoquée"
        if self.is_expired():
            return "Expirée"
        if self.last_used_at:
            return "Ouverte par le contact"
        if self.sent_at:
            return "Envoyée"
        return "À envoyer"


class EmailLog(models.Model):
    """One e-mail to a contact, its delivery status and attempts."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Relance")
        RESEND = "resend", _("Renvoi du lien")
        RECEIPT = "receipt", _("Accusé de réception")
        FLAG = "flag", _("Point à vérifier signalé")
        STAFF_REPLY = "staff_reply", _("Réponse de l'équipe")
        REOPENED = "reopened", _("Réponse rouverte")
        VALIDATED = "validated", _("Réponse validée")
        AGENT_REPLY = "agent_reply", _("Réponse d'un agent (à l'équipe)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    # None for a notification to the staff (`to_email` from STAFF_NOTIFICATION_EMAILS).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="email_logs"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="email_logs"
    )
    # What the message says beyond its kind (the conversation's e-mails: question, text, page).
    context = models.JSONField(_("contenu"), default=dict, blank=True)
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    to_email = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # How many times the beat job handed it to the broker again (respondents.tasks).
    requeues = models.PositiveSmallIntegerField(_("remises en file"), default=0)
    error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel envoyé")
        verbose_name_plural = _("journal des courriels")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email} ({self.get_status_display()})"


class AccessRequest(models.Model):
    """A collectivité that was not invited asks to take part in an open edition."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    edition = models.ForeignKey(
        "surveys.Edition", on_delete=models.CASCADE, related_name="access_requests"
    )
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.PROTECT, related_name="access_requests"
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("adresse électronique professionnelle"))
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_requests"
    )

    class Meta:
        verbose_name = _("demande d'accès")
        verbose_name_plural = _("demandes d'accès")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.collectivite} — {self.email}"


class ReminderSchedule(models.Model):
    """Automatic reminders of one edition, sent by the periodic task when enabled."""

    edition = models.OneToOneField(
        "surveys.Edition", on_delete=models.CASCADE, related_name="reminder_schedule"
    )
    enabled = models.BooleanField(_("relances automatiques"), default=False)
    interval_days = models.PositiveSmallIntegerField(_("intervalle en jours"), default=7)
    last_sent_at = models.DateTimeField(_("dernière relance"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme de relances")
        verbose_name_plural = _("programmes de relances")

    def __str__(self) -> str:
        return f"Relances {self.edition.year}"

    def is_due(self, now: datetime | None = None) -> bool:
        if not self.enabled:
            return False
        if self.last_sent_at is None:
            return True
        return (now or timezone.now()) >= self.last_sent_at + timedelta(days=self.interval_days)

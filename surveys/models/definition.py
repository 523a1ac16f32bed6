"""Editions of the questionnaire, defined as data.

An edition is a tree: sections hold questions; a question may hold choices (single, multiple,
ranking items, or the shared scale of a matrix), matrix rows, and, for a roster, child questions
asked once per roster item. Question codes are unique within an edition and stable across
editions: they name export columns and line trends up.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProtectedChangeError(ValidationError):
    """A change that would betray answers already given; the message says which."""


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouverte")
        # A context: Django's own catalogue translates the bare word "Close" as "Fermer".
        CLOSED = "closed", pgettext_lazy("statut d'une édition", "Close")
        PUBLISHED = "published", _("Publiée")

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)
    # When the wave was actually closed (by staff, possibly before `closes_at`, or by the beat
    # job); empty while it is open. Agents are told this time, not the planned one.
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True, editable=False)
    # Choice lists defined once in the definition file and referenced by several questions
    # (e.g. LIKERT4N): [{"name": ..., "choices": [{"code", "label", …}]}]. The questions still
    # hold their own Choice rows; this only lets the export write the reference back.
    choice_lists = models.JSONField(_("listes de choix partagées"), default=list, blank=True)
    # What the edition means beyond its questions (indicators, brackets, warnings, trends), as
    # checked by the definition loader; read through `surveys.rules.rules_of`.
    rules = models.JSONField(_("règles de l'édition"), default=dict, blank=True)
    # Codes of the questions whose answers the open dataset publishes per collectivité
    # (the definition file's `opendata` block); nothing else is published per collectivité.
    opendata_questions = models.JSONField(
        _("questions publiées en données ouvertes"), default=list, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    @property
    def previous(self) -> "Edition | None":
        return Edition.objects.filter(year__lt=self.year).order_by("-year").first()


class Section(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    condition = models.TextField(_("condition"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="section_code_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiples")
        MATRIX = "matrix", _("Matrice")
        RANKING = "ranking", _("Classement")
        INTEGER = "integer", _("Nombre entier")
        DECIMAL = "decimal", _("Nombre décimal")
        MONEY = "money", _("Montant en euros")
        TEXT = "text", _("Texte court")
        LONGTEXT = "longtext", _("Texte long")
        ROSTER = "roster", _("Liste répétable")

    # One vocabulary for the kinds of question, used by the loader, forms, exports and results.
    # Answered with a number (and "Ne sait pas" where allowed):
    NUMBER_TYPES = (Type.INTEGER, Type.DECIMAL, Type.MONEY)
    # Answered by picking among choices (one or several): a list of boxes.
    PICK_TYPES = (Type.SINGLE, Type.MULTIPLE)
    # Holding their own choices (`choices`), beside the matrix and its shared scale:
    TYPES_WITH_CHOICES = (Type.SINGLE, Type.MULTIPLE, Type.RANKING)

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    # Set for the questions asked once per item of a roster.
    roster = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="item_questions"
    )
    code = models.SlugField(_("code"), max_length=60)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    text = models.TextField(_("intitulé"))
    help_text = models.TextField(_("aide"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    condition = models.TextField(_("condition"), blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    step = models.DecimalField(_("pas"), max_digits=8, decimal_places=2, null=True, blank=True)
    # Numbers may also be answered "Ne sait pas" (stored as the code "nsp").
    allow_nsp = models.BooleanField(_("« ne sait pas » possible"), default=False)
    # Ranking: how many items to rank (None: all of them).
    rank_count = models.PositiveSmallIntegerField(_("nombre à classer"), null=True, blank=True)
    # Roster: bounds on the number of items.
    min_items = models.PositiveSmallIntegerField(_("éléments minimum"), null=True, blank=True)
    max_items = models.PositiveSmallIntegerField(_("éléments maximum"), null=True, blank=True)
    # Where the definition file took the choices from: {"from": list name or question code,
    # "except": [codes]}, or {} for choices written out.
    choices_source = models.JSONField(_("origine des choix"), default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.text[:60]}"

    def deletion_problems(self) -> list[str]:
        """Why this question may not be deleted: it holds answers (empty list: it may)."""
        if self.pk and self.answers.exists():
            return [
                f"La question « {self.code} » a déjà des réponses : elle ne peut pas être "
                "supprimée (vous pouvez la reformuler)."
            ]
        return []

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        # Refuse in French before the PROTECT foreign key of Answer refuses in English.
        if problems := self.deletion_problems():
            raise ProtectedChangeError(problems)
        return super().delete(*args, **kwargs)


class Choice(models.Model):
    """An option of a single/multiple question, a ranking item, or a point of a matrix scale."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("libellé"), max_length=300)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    exclusive = models.BooleanField(_("exclusif"), default=False)
    # Choosing it asks for a free-text precision, exported as `<question>_autre`.
    other = models.BooleanField(_("autre (précisez)"), default=False)
    condition = models.TextField(_("condition"), blank=True)

    class Meta:
        verbose_name = _("choix")
        verbose_name_plural = _("choix")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class MatrixRow(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rows")
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("libellé"), max_length=300)
    order = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ligne de matrice")
        verbose_name_plural = _("lignes de matrice")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="matrixrow_code_unique")
        ]

    def __str__(self) -> str:
        return self.label

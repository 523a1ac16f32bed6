"""Aggregate results of an edition, computed in the database and cached."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Erratum", "PublishedFigures", "ResultCount", "ResultSnapshot", "ResultsSheet"]


class ResultSnapshot(models.Model):
    """The last full set of aggregates of an edition, kept so a cold cache costs one read."""

    edition = models.OneToOneField(
        "surveys.Edition", on_delete=models.CASCADE, related_name="result_snapshot"
    )
    data = models.JSONField(_("agrégats"))
    computed_at = models.DateTimeField(_("calculés le"))
    duration_ms = models.PositiveIntegerField(_("durée du calcul (ms)"), default=0)
    # How many times the aggregates were computed: debouncing keeps it low.
    computations = models.PositiveIntegerField(_("nombre de calculs"), default=0)

    class Meta:
        db_table = "exports_resultsnapshot"  # kept from before the move
        verbose_name = _("agrégats d'une édition")
        verbose_name_plural = _("agrégats des éditions")

    def __str__(self) -> str:
        return f"{self.edition} — {self.computed_at:%Y-%m-%d %H:%M}"


class ResultCount(models.Model):
    """How many counted answers hold one value, in one cell (type × tranche × région).

    Maintained with every submission, reopening and correction (exports.results.counts),
    and rebuilt from the answers nightly and after bulk loads: the figures of any filter or
    breakdown are sums over a few hundred cells instead of a pass over a million answers.

    `key` and `value`: ("#answer", "") counts the answers (the base); ("", code) a choice;
    (row, column) a matrix cell; (item, rank) a ranking.
    """

    edition = models.ForeignKey("surveys.Edition", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey("surveys.Question", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(_("type de collectivité"), max_length=20)
    tranche = models.CharField(_("tranche de population"), max_length=10, blank=True)
    region = models.CharField(_("région"), max_length=2, blank=True)
    key = models.TextField(_("clé"), blank=True)
    value = models.TextField(_("valeur"), blank=True)
    n = models.IntegerField(_("nombre"))

    class Meta:
        db_table = "exports_resultcount"  # kept from before the move
        verbose_name = _("comptage de réponses")
        verbose_name_plural = _("comptages de réponses")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "type", "tranche", "region", "key", "value"],
                name="resultcount_cell_unique",
            )
        ]
        indexes = [models.Index(fields=["edition", "tranche"], name="resultcount_tranche_idx")]

    def __str__(self) -> str:
        cell = f"{self.type}/{self.tranche}/{self.region}"
        return f"{self.question_id} {cell} {self.key}={self.value}: {self.n}"


class ResultsSheet(models.Model):
    """The PDF sheet of a response's results, e-mailed to one of its contacts at a publication.

    One per response, contact and publication (the edition's first, second… publication): a
    publication never sends it twice, a later one sends it again. The e-mail itself is an
    `EmailLog` of the respondents' queue, with its retries and its re-sending when the broker
    was down.
    """

    response = models.ForeignKey("surveys.Response", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("respondents.Contact", on_delete=models.CASCADE, related_name="+")
    publication = models.PositiveSmallIntegerField(_("publication"))
    email = models.OneToOneField(
        "respondents.EmailLog", on_delete=models.CASCADE, related_name="results_sheet"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("fiche de résultats envoyée")
        verbose_name_plural = _("fiches de résultats envoyées")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "contact", "publication"], name="resultssheet_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response} — publication {self.publication} → {self.contact}"


class PublishedFigures(models.Model):
    """The public figures of an edition frozen when staff publish it: the public page serves
    them, whatever is recomputed later. Each publication (and republication) is a new version.

    `data` is every public figure with its base, already disclosure-controlled and rounded by
    the edition's public rule (exports.results.publication.public_figures).
    """

    edition = models.ForeignKey(
        "surveys.Edition", on_delete=models.CASCADE, related_name="published_figures"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("publiés le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiés par"),
    )
    data = models.JSONField(_("chiffres publiés"))

    class Meta:
        verbose_name = _("chiffres publiés d'une édition")
        verbose_name_plural = _("chiffres publiés des éditions")
        ordering = ["edition", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "version"], name="publishedfigures_version")
        ]

    def __str__(self) -> str:
        return f"{self.edition} — version {self.version}"


class Erratum(models.Model):
    """A published figure that a later correction, reopening or import changed: the frozen
    figures stay as published, the change is listed beside them until a republication."""

    published = models.ForeignKey(PublishedFigures, on_delete=models.CASCADE, related_name="errata")
    figure = models.CharField(_("chiffre"), max_length=600)
    # The figure's stable path in the published data (question/choice…), to follow it.
    key = models.CharField(_("clé"), max_length=300)
    before = models.CharField(_("avant"), max_length=100)
    after = models.CharField(_("après"), max_length=100)
    noted_at = models.DateTimeField(_("le"))
    reason = models.TextField(_("motif"))

    class Meta:
        verbose_name = _("erratum")
        verbose_name_plural = _("errata")
        ordering = ["noted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.figure} : {self.before} → {self.after}"

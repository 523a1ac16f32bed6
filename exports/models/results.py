"""Aggregate results of an edition, computed in the database and cached."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ResultSnapshot"]


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
        verbose_name = _("agrégats d'une édition")
        verbose_name_plural = _("agrégats des éditions")

    def __str__(self) -> str:
        return f"{self.edition} — {self.computed_at:%Y-%m-%d %H:%M}"

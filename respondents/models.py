"""The collectivités referential (from Etalab's découpage administratif) and their agents."""

import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _


def normalise_name(value: str) -> str:
    """Lower-case, accent-free, punctuation-as-space form used for searching names."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in stripped)
    return " ".join(cleaned.split())


class Collectivite(models.Model):
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

    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices)
    # INSEE code for communes, départements and régions; SIREN for EPCI (they have no INSEE code).
    code = models.CharField(_("code"), max_length=12)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    name = models.CharField(_("nom"), max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    epci_type = models.CharField(
        _("type d'EPCI"), max_length=5, choices=EpciType.choices, blank=True
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    departement_code = models.CharField(_("département"), max_length=3, blank=True)
    region_code = models.CharField(_("région"), max_length=2, blank=True, db_index=True)
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
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    @property
    def type_collectivite(self) -> str:
        """The survey's `type_collectivite` code (see the spec's derived variables)."""
        if self.kind == self.Kind.EPCI:
            if self.epci_type in (self.EpciType.METRO, self.EpciType.MET69):
                return "metropole"
            return "intercommunalite"
        return self.kind

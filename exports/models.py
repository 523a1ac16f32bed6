"""Export jobs: a file built by a Celery task, stored, downloadable by staff and analysts."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.regions import REGIONS
from surveys.models import Response

__all__ = ["ExportJob"]


class ExportJob(models.Model):
    class Format(models.TextChoices):
        XLSX = "xlsx", _("Classeur Excel (XLSX)")
        CSV = "csv", _("CSV open data (avec son schéma)")
        CSV_EXCEL_FR = "csvfr", _("CSV pour Excel (France)")
        SAV = "sav", _("SPSS (.sav)")
        DTA = "dta", _("Stata (.dta)")

    class Answers(models.TextChoices):
        LABELS = "labels", _("Libellés")
        CODES = "codes", _("Codes")

    class Headers(models.TextChoices):
        CODES = "codes", _("Codes des colonnes")
        LABELS = "labels", _("Intitulés des questions")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échoué")
        EXPIRED = "expired", _("Expiré")

    edition = models.ForeignKey(
        "surveys.Edition", on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    answers = models.CharField(
        _("réponses"), max_length=6, choices=Answers.choices, default=Answers.LABELS
    )
    headers = models.CharField(
        _("en-têtes"), max_length=6, choices=Headers.choices, default=Headers.CODES
    )
    # Codes of the exported sections, in questionnaire order; empty: every section.
    sections = models.JSONField(_("sections"), default=list, blank=True)
    # Groups of columns left out (exports.services.exporters.COLUMN_GROUPS).
    omitted_columns = models.JSONField(_("colonnes laissées de côté"), default=list, blank=True)
    # {"type_collectivite": [...], "tranche_population": [...], "region": [...], "status": [...]}
    filters = models.JSONField(_("filtres"), default=dict, blank=True)
    status = models.CharField(
        _("état"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    rows_done = models.PositiveIntegerField(_("lignes écrites"), default=0)
    rows_total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    file = models.FileField(_("fichier"), upload_to="exports/", blank=True)
    # The Table Schema (JSON) that describes an open-data CSV.
    schema_file = models.FileField(_("schéma"), upload_to="exports/", blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    task_id = models.CharField(_("tâche Celery"), max_length=64, blank=True)
    # Last sign of life of a running job: the reaper fails a job silent for EXPORT_STALL_SECONDS.
    progressed_at = models.DateTimeField(_("dernier avancement"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"Export {self.pk} — {self.edition.year} ({self.format})"

    def save(self, *args, **kwargs) -> None:
        # SPSS and Stata files hold coded answers with their labels, under the column codes
        # (exports.services.statistical): the job says so, whatever was asked.
        if self.format in self.STATISTICAL_SUFFIXES:
            self.answers = self.Answers.CODES
            self.headers = self.Headers.CODES
        super().save(*args, **kwargs)

    FILTER_LABELS = {
        "type_collectivite": "types de collectivité",
        "tranche_population": "tranches de population",
        "region": "régions",
        "status": "statuts",
    }

    @property
    def filters_display(self) -> list[tuple[str, list[str]]]:
        """The filters in French words (« statuts : Envoyée, Validée »), not their stored codes."""
        words: dict[str, dict] = {
            "status": dict(Response.Status.choices),
            "type_collectivite": TYPES_COLLECTIVITE,
            "tranche_population": TRANCHE_LABELS,
            "region": REGIONS,
        }
        return [
            (
                self.FILTER_LABELS.get(key, key),
                [str(words.get(key, {}).get(v, v)) for v in values],
            )
            for key, values in self.filters.items()
        ]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def can_restart(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.EXPIRED)

    CONTENT_TYPES = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
        "csvfr": "text/csv; charset=utf-8",
        # SPSS and Stata: a ZIP of the tables (one per file) and their dictionary.
        "sav": "application/zip",
        "dta": "application/zip",
    }
    STATISTICAL_SUFFIXES = {"sav": "spss", "dta": "stata"}

    def filename(self) -> str:
        if self.format == self.Format.CSV_EXCEL_FR:
            return f"barometre-{self.edition.year}-reponses-{self.pk}-excel.csv"
        if suffix := self.STATISTICAL_SUFFIXES.get(self.format):
            return f"barometre-{self.edition.year}-reponses-{self.pk}-{suffix}.zip"
        return f"barometre-{self.edition.year}-reponses-{self.pk}.{self.format}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.format]

    def mark_running(self, task_id: str = "") -> None:
        self.status = self.Status.RUNNING
        self.started_at = self.progressed_at = timezone.now()
        self.finished_at = None
        self.progress = 0
        self.rows_done = 0
        self.error = ""
        self.task_id = task_id or self.task_id
        self.save()

    def is_stalled(self, now=None) -> bool:
        """Running, but without progress for EXPORT_STALL_SECONDS: its worker has died."""
        last = self.progressed_at or self.started_at
        limit = (now or timezone.now()) - timedelta(seconds=settings.EXPORT_STALL_SECONDS)
        return self.status == self.Status.RUNNING and last is not None and last < limit

    def mark_done(self) -> None:
        self.status = self.Status.DONE
        self.progress = 100
        self.finished_at = timezone.now()
        self.expires_at = self.finished_at + timedelta(hours=settings.EXPORT_RETENTION_HOURS)
        self.save()

    def mark_failed(self, error: str) -> None:
        self.status = self.Status.FAILED
        self.error = error
        self.finished_at = timezone.now()
        self.save()

    def delete_files(self) -> None:
        for field in (self.file, self.schema_file):
            if field:
                field.delete(save=False)

    def reset_for_restart(self) -> None:
        """Back to pending, without the old files, so that the task can run it again."""
        self.delete_files()
        self.status = self.Status.PENDING
        self.progress = 0
        self.rows_done = 0
        self.error = ""
        self.started_at = self.finished_at = self.expires_at = None
        self.save()

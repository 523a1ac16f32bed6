"""Running export jobs: build the file with an exporter and a writer, store it, track progress."""

import gc
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from exports.models import ExportJob
from exports.services.exporters import ResponsesExporter
from exports.services.statistical import write_statistical
from exports.services.writers import table_schema, write_csv, write_table_schema, write_xlsx
from surveys.models import Edition

logger = logging.getLogger(__name__)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an export is written.

    An export allocates millions of short-lived lists and tuples (records, rows, parts) that
    reference counting frees as it goes: none of them is in a cycle. Their number alone
    triggers the collector, which then walks them and the whole process (Django, the edition,
    the caches of encodings) again and again: 0.10 to 0.15 s of the 1.5 s of a census CSV
    export, a smaller share of an XLSX one. Measured on 36,000 respondents: 3,313 objects left
    in cycles (by the database driver), which the collector frees once it is back."""
    if not gc.isenabled():  # already paused by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@collector_paused()
def export_responses(
    edition: Edition,
    fmt: str,
    path: str | Path,
    *,
    labels: bool = True,
    filters: dict | None = None,
    sections: list[str] | None = None,
    omit: list[str] | None = None,
    header_labels: bool = False,
    on_progress=None,
) -> int:
    """Write the responses of `edition` to `path`: xlsx; csv (open data) plus
    `<path>.schema.json`; csvfr, the CSV a French Excel opens as it is; or sav / dta, a ZIP of
    SPSS or Stata files (answers coded, names as codes: `labels` and `header_labels` do not
    apply, see `exports.services.statistical`)."""
    statistical = fmt in (ExportJob.Format.SAV, ExportJob.Format.DTA)
    exporter = ResponsesExporter(
        edition,
        labels=labels and not statistical,
        filters=filters,
        sections=sections,
        omit=omit,
        header_labels=header_labels and not statistical,
        on_progress=on_progress,
    )
    if statistical:
        return write_statistical(exporter, fmt, path)
    if fmt == ExportJob.Format.XLSX:
        return write_xlsx(exporter, str(path))
    sheet = exporter.sheets()[0]
    excel_fr = fmt == ExportJob.Format.CSV_EXCEL_FR
    with open(path, "w", encoding="utf-8", newline="") as stream:
        rows = write_csv(exporter, sheet, stream, excel_fr=excel_fr)
    if excel_fr:
        return rows
    schema = table_schema(
        sheet,
        title=f"{edition.title} — réponses des collectivités",
        description=(
            f"Une ligne par collectivité ayant répondu à l'édition {edition.year} du Baromètre "
            "de la démocratie locale numérique (Décider ensemble). Aucune donnée de contact."
        ),
        header_labels=header_labels,
    )
    with open(schema_path(path), "w", encoding="utf-8") as stream:
        write_table_schema(schema, stream)
    return rows


def schema_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.stem + ".schema.json")


def run_job(job: ExportJob) -> None:
    """Build the job's file and store it; progress goes to the database once per batch."""
    last = {"percent": -1}

    def on_progress(done: int, total: int) -> None:
        percent = min(99, 100 * done // total) if total else 99
        if percent != last["percent"]:
            last["percent"] = percent
            ExportJob.objects.filter(pk=job.pk).update(
                progress=percent, rows_done=done, rows_total=total, progressed_at=timezone.now()
            )

    with tempfile.TemporaryDirectory(prefix="export-") as directory:
        path = Path(directory) / job.filename()
        export_responses(
            job.edition,
            job.format,
            path,
            labels=job.answers == ExportJob.Answers.LABELS,
            filters=job.filters,
            sections=job.sections,
            omit=job.omitted_columns,
            header_labels=job.headers == ExportJob.Headers.LABELS,
            on_progress=on_progress,
        )
        job.refresh_from_db()
        with open(path, "rb") as stream:
            job.file.save(path.name, File(stream), save=False)
        if job.format == ExportJob.Format.CSV:
            with open(schema_path(path), "rb") as stream:
                job.schema_file.save(schema_path(path).name, File(stream), save=False)
    job.mark_done()


def reap_jobs(now=None) -> tuple[int, int]:
    """Fail the jobs stuck past EXPORT_TIME_LIMIT; expire the files past their retention.

    Returns (failed, expired).
    """
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.EXPORT_TIME_LIMIT)
    stuck = ExportJob.objects.filter(
        status__in=[ExportJob.Status.RUNNING, ExportJob.Status.PENDING]
    ).filter(started_at__lt=limit) | ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, started_at__isnull=True, created_at__lt=limit
    )
    failed = 0
    stall = now - timedelta(seconds=settings.EXPORT_STALL_SECONDS)
    stalled = ExportJob.objects.filter(status=ExportJob.Status.RUNNING).filter(
        Q(progressed_at__lt=stall) | Q(progressed_at__isnull=True, started_at__lt=stall)
    )
    for job in stalled.exclude(pk__in=stuck.values("pk")):
        job.mark_failed(
            "L'export s'est interrompu : aucun avancement depuis "
            f"{settings.EXPORT_STALL_SECONDS // 60} min (son traitement a été arrêté). "
            "Vous pouvez le relancer."
        )
        logger.warning("export %s marqué en échec : plus d'avancement", job.pk)
        failed += 1
    for job in stuck:
        job.mark_failed(
            "L'export n'a pas abouti dans le temps imparti "
            f"({settings.EXPORT_TIME_LIMIT // 60} min) : le traitement a sans doute été "
            "interrompu. Vous pouvez le relancer."
        )
        logger.warning("export %s marqué en échec après le délai", job.pk)
        failed += 1
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lt=now):
        job.delete_files()
        job.status = ExportJob.Status.EXPIRED
        job.save()
        expired += 1
    return failed, expired

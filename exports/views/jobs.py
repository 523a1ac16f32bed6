"""Export jobs on the web: start one, follow it, download its file, restart it."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from barometre.roles import results_reader_required
from barometre.tasks import enqueue_on_commit
from exports.forms import ExportJobForm
from exports.models import ExportJob
from exports.services.exporters import COLUMN_GROUPS
from exports.tasks import run_export
from respondents.services import listing

JOBS_PAGE_SIZE = 30
JOB_COLUMNS = {
    "numero": ("pk",),
    "edition": ("edition__year",),
    "format": ("format",),
    "date": ("created_at",),
    "etat": ("status",),
}


@results_reader_required
@require_http_methods(["GET", "POST"])
def job_list(request):
    edition = request.GET.get("edition", "")
    form = ExportJobForm(
        request.POST or None, initial={"edition": edition} if edition.isdigit() else None
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = form.save(commit=False)
            job.created_by = request.user
            job.save()
            enqueue_on_commit(run_export, job.pk)
        return redirect("exports:job", pk=job.pk)
    filters = listing.ListFilterForm(
        request.GET,
        statuses=dict(ExportJob.Status.choices),
        status_label="État",
        all_statuses="Tous les états",
        collectivite_fields=False,
        search=False,
    )
    jobs = ExportJob.objects.select_related("edition", "created_by")
    if status := filters.value("statut"):
        jobs = jobs.filter(status=status)
    jobs, sort = listing.sort(jobs, request.GET.get(listing.SORT_PARAMETER), JOB_COLUMNS, "-date")
    return render(
        request,
        "exports/export_list.html",
        {
            "form": form,
            "filters": filters,
            "sort": sort,
            "page": Paginator(jobs, JOBS_PAGE_SIZE).get_page(request.GET.get("page")),
            "retention_hours": settings.EXPORT_RETENTION_HOURS,
        },
    )


@results_reader_required
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(ExportJob.objects.select_related("edition", "created_by"), pk=pk)
    omitted = [COLUMN_GROUPS.get(group, group) for group in job.omitted_columns]
    return render(request, "exports/export_job.html", {"job": job, "omitted": omitted})


@results_reader_required
@require_GET
@never_cache
def job_status(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "finished": job.is_finished,
            "error": job.error,
            "download_url": reverse("exports:download", args=[job.pk])
            if job.is_downloadable
            else None,
        }
    )


def _serve(field, filename: str, content_type: str):
    try:
        stream = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable : il a peut-être expiré.") from exc
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)


@results_reader_required
@require_GET
def job_download(request, pk: int):
    job = get_object_or_404(ExportJob.objects.select_related("edition"), pk=pk)
    if not job.is_downloadable:
        raise Http404("Cet export n'est pas (ou plus) disponible.")
    return _serve(job.file, job.filename(), job.content_type)


@results_reader_required
@require_GET
def job_schema(request, pk: int):
    job = get_object_or_404(ExportJob.objects.select_related("edition"), pk=pk)
    if not job.is_downloadable or not job.schema_file:
        raise Http404("Cet export n'a pas de schéma disponible.")
    name = job.filename().rsplit(".", 1)[0] + ".schema.json"
    return _serve(job.schema_file, name, "application/json")


@results_reader_required
@require_POST
def job_restart(request, pk: int):
    with transaction.atomic():
        job = get_object_or_404(ExportJob.objects.select_for_update(), pk=pk)
        if not job.can_restart:
            messages.error(request, "Seul un export en échec ou expiré peut être relancé.")
            return redirect("exports:job", pk=job.pk)
        job.reset_for_restart()
        enqueue_on_commit(run_export, job.pk)
    messages.success(request, "L'export a été relancé.")
    return redirect("exports:job", pk=job.pk)

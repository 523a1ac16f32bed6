from django.urls import path

from exports.views import imports, jobs

urlpatterns = [
    path("", jobs.job_list, name="export-list"),
    path("import/", imports.import_upload, name="export-import"),
    path("<int:pk>/", jobs.job_detail, name="export-job"),
    path("<int:pk>/etat.json", jobs.job_status, name="export-status"),
    path("<int:pk>/telecharger/", jobs.job_download, name="export-download"),
    path("<int:pk>/schema/", jobs.job_schema, name="export-schema"),
    path("<int:pk>/relancer/", jobs.job_restart, name="export-restart"),
]

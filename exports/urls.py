"""Export jobs and the responses import, mounted at /exports/ (namespace "exports")."""

from django.urls import path

from exports.views import imports, jobs

app_name = "exports"

urlpatterns = [
    path("", jobs.job_list, name="list"),
    path("import/", imports.import_upload, name="import"),
    path("<int:pk>/", jobs.job_detail, name="job"),
    path("<int:pk>/etat.json", jobs.job_status, name="status"),
    path("<int:pk>/telecharger/", jobs.job_download, name="download"),
    path("<int:pk>/schema/", jobs.job_schema, name="schema"),
    path("<int:pk>/relancer/", jobs.job_restart, name="restart"),
]

from csp.decorators import csp_update
from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api import views, views_staff


class Id:
    """A positive integer that fits a database id (longer ones fall to the JSON 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(Id, "id")

# The schema and its browsable page are public: they describe the API, they hold no data.
PUBLIC = {
    "authentication_classes": [],
    "permission_classes": [AllowAny],
    "throttle_classes": [views.PublicRateThrottle],
}

v1 = [
    path("v1/schema/", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    # Swagger UI sets styles from its script, so this page alone allows inline styles.
    path(
        "v1/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", **PUBLIC)
        ),
        name="docs",
    ),
    path("v1/editions/", views.EditionList.as_view(), name="editions"),
    path("v1/editions/<id:year>/", views.EditionDetail.as_view(), name="edition"),
    path("v1/editions/<id:year>/responses/", views.ResponseList.as_view(), name="responses"),
    path(
        "v1/editions/<id:year>/responses/<id:id>/",
        views.ResponseDetail.as_view(),
        name="response",
    ),
    path("v1/editions/<id:year>/results/", views.Results.as_view(), name="results"),
    path("v1/editions/<id:year>/followup/", views.Followup.as_view(), name="followup"),
    path("v1/editions/<id:year>/exports/", views.ExportJobs.as_view(), name="export-create"),
    path("v1/exports/<id:pk>/", views.ExportJobDetail.as_view(), name="export"),
    path("v1/exports/<id:pk>/download/", views.ExportJobDownload.as_view(), name="export-download"),
    path("v1/collectivites/", views.CollectiviteList.as_view(), name="collectivites"),
    path("v1/public/editions/", views.PublicEditionList.as_view(), name="public-editions"),
    path(
        "v1/public/editions/<id:year>/results/",
        views.PublicResults.as_view(),
        name="public-results",
    ),
    path(
        "v1/public/editions/<id:year>/opendata/",
        views.PublicOpenData.as_view(),
        name="public-opendata",
    ),
]

staff = [
    path("jetons/", views_staff.token_list, name="tokens"),
    path("jetons/<int:pk>/revoquer/", views_staff.token_revoke, name="token-revoke"),
    path("webhooks/", views_staff.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views_staff.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/test/", views_staff.webhook_test, name="webhook-test"),
]

# Any other address under v1/ (an unknown path, a year that is not a number) gets a JSON 404.
v1.append(re_path(r"^v1/", views.UnknownAddress.as_view(), name="not-found"))

urlpatterns = v1 + staff

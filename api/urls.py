from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views, views_staff

v1 = [
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/editions/", views.EditionList.as_view(), name="editions"),
    path("v1/editions/<int:year>/", views.EditionDetail.as_view(), name="edition"),
    path("v1/editions/<int:year>/responses/", views.ResponseList.as_view(), name="responses"),
    path(
        "v1/editions/<int:year>/responses/<int:id>/",
        views.ResponseDetail.as_view(),
        name="response",
    ),
    path("v1/editions/<int:year>/results/", views.Results.as_view(), name="results"),
    path("v1/editions/<int:year>/followup/", views.Followup.as_view(), name="followup"),
    path("v1/editions/<int:year>/exports/", views.ExportJobs.as_view(), name="export-create"),
    path("v1/exports/<int:pk>/", views.ExportJobDetail.as_view(), name="export"),
    path(
        "v1/exports/<int:pk>/download/", views.ExportJobDownload.as_view(), name="export-download"
    ),
    path("v1/collectivites/", views.CollectiviteList.as_view(), name="collectivites"),
    path("v1/public/editions/", views.PublicEditionList.as_view(), name="public-editions"),
    path(
        "v1/public/editions/<int:year>/results/",
        views.PublicResults.as_view(),
        name="public-results",
    ),
    path(
        "v1/public/editions/<int:year>/opendata/",
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

urlpatterns = v1 + staff

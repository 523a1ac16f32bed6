"""The site's URLs, by audience: each area has its own prefix and namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from barometre import views
from barometre.context_processors import SITE_NAME
from barometre.login import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("confidentialite/", views.privacy_notice, name="privacy-notice"),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            authentication_form=ThrottledAuthenticationForm,
            # LoginView names the site after the request's host ("127.0.0.1:8000"); the header
            # shows the platform's name, as on every other page.
            extra_context={"site_name": SITE_NAME},
        ),
        name="login",
    ),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # Magic links, lost links, access requests, opt-out: the respondents' way in.
    path("acces/", include("respondents.urls", namespace="access")),
    # The questionnaire, for the agent of a collectivité (magic-link session).
    path("repondre/", include("surveys.filling.urls", namespace="answering")),
    # The staff back-office: editions, follow-up, review, referential, invitations, RGPD.
    path("equipe/", include("surveys.backoffice.urls", namespace="backoffice")),
    path("resultats/", include("exports.results.urls", namespace="results")),
    path("exports/", include("exports.urls", namespace="exports")),
    # The read API for analysts and partners (tokens, OpenAPI schema, webhooks).
    path("api/", include(("api.urls", "api"), namespace="api")),
    # Addresses of the first version, still in e-mails already sent.
    path(
        "relances/desinscription/<str:token>/",
        RedirectView.as_view(pattern_name="access:reminder-opt-out", permanent=True),
    ),
    path("demande-acces/", RedirectView.as_view(pattern_name="access:request", permanent=True)),
]

# French pages (or JSON for scripts) instead of Django's English defaults.
handler400 = "barometre.errors.bad_request"
handler403 = "barometre.errors.permission_denied"
handler404 = "barometre.errors.page_not_found"
handler500 = "barometre.errors.server_error"

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Baromètre — administration"
admin.site.site_title = "Baromètre"

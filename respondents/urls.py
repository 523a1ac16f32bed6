"""The respondents' way in, mounted at /acces/ (namespace "access")."""

from django.urls import path

from respondents.views import access, public, team

app_name = "access"

urlpatterns = [
    path("renvoyer/", public.resend_link, name="resend-link"),
    path("demande/", public.access_request, name="request"),
    path("collectivites.json", public.collectivite_search_json, name="collectivite-search"),
    path("desinscription/<str:token>/", public.reminder_opt_out, name="reminder-opt-out"),
    path("confirmer/<str:token>/", team.confirm_contact, name="confirm-contact"),
    path("<str:token>/", access.magic_link, name="magic-link"),
]

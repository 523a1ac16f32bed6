from django.urls import path

from respondents.views import access, public, staff
from surveys.views import filling

urlpatterns = [
    # Public
    path("acces/renvoyer/", public.resend_link, name="resend-link"),
    path("acces/<str:token>/", access.magic_link, name="magic-link"),
    path("demande-acces/", public.access_request, name="access-request"),
    path(
        "collectivites/recherche.json",
        public.collectivite_search_json,
        name="collectivite-search-json",
    ),
    path("relances/desinscription/<str:token>/", public.reminder_opt_out, name="reminder-opt-out"),
    # Respondents (session opened by a magic link); the home is the questionnaire overview.
    path("repondre/<int:year>/", filling.overview, name="respondent-home"),
    path("repondre/<int:year>/deconnexion/", access.respondent_logout, name="respondent-logout"),
    # Staff
    path("equipe/collectivites/", staff.collectivites, name="staff-collectivites"),
    path("equipe/collectivites/<int:pk>/", staff.collectivite_detail, name="staff-collectivite"),
    path("equipe/contacts/<int:pk>/", staff.contact_detail, name="staff-contact"),
    path("equipe/invitations/<int:year>/", staff.edition_invitations, name="staff-invitations"),
    path(
        "equipe/invitations/<int:year>/import/",
        staff.upload_contacts,
        name="staff-invitations-upload",
    ),
    path(
        "equipe/invitations/lien/<int:pk>/revoquer/",
        staff.revoke_invitation,
        name="staff-invitation-revoke",
    ),
    path(
        "equipe/invitations/lien/<int:pk>/renvoyer/",
        staff.resend_invitation,
        name="staff-invitation-resend",
    ),
    path("equipe/demandes-acces/", staff.access_request_list, name="staff-access-requests"),
    path(
        "equipe/demandes-acces/<int:pk>/<str:decision>/",
        staff.decide_access_request,
        name="staff-access-request-decide",
    ),
    path("equipe/relances/<int:year>/", staff.edition_reminders, name="staff-reminders"),
]

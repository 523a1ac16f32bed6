from django.urls import path

from respondents.views import access, public
from surveys.views import filling

urlpatterns = [
    path("acces/renvoyer/", public.resend_link, name="resend-link"),
    path("acces/<str:token>/", access.magic_link, name="magic-link"),
    path("relances/desinscription/<str:token>/", public.reminder_opt_out, name="reminder-opt-out"),
    # The respondent's home is the questionnaire overview (surveys app).
    path("repondre/<int:year>/", filling.overview, name="respondent-home"),
    path("repondre/<int:year>/deconnexion/", access.respondent_logout, name="respondent-logout"),
]

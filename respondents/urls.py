from django.urls import path

from respondents.views import access, public

urlpatterns = [
    path("acces/renvoyer/", public.resend_link, name="resend-link"),
    path("acces/<str:token>/", access.magic_link, name="magic-link"),
    path("relances/desinscription/<str:token>/", public.reminder_opt_out, name="reminder-opt-out"),
    path("repondre/<int:year>/", access.respondent_home, name="respondent-home"),
    path("repondre/<int:year>/deconnexion/", access.respondent_logout, name="respondent-logout"),
]

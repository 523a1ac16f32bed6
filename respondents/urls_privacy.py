from django.urls import path

from respondents.views import privacy

urlpatterns = [
    path("confidentialite/", privacy.privacy_notice, name="privacy-notice"),
]

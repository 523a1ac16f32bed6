from django.urls import path

from respondents.views import privacy

urlpatterns = [
    path("confidentialite/", privacy.privacy_notice, name="privacy-notice"),
    path("equipe/contacts/", privacy.contact_list, name="staff-contacts"),
    path(
        "equipe/contacts/<int:pk>/donnees-personnelles/",
        privacy.contact_detail,
        name="staff-contact-privacy",
    ),
    path(
        "equipe/contacts/<int:pk>/donnees-personnelles.json",
        privacy.contact_export,
        name="staff-contact-export",
    ),
    path("equipe/contacts/<int:pk>/effacer/", privacy.contact_erase, name="staff-contact-erase"),
]

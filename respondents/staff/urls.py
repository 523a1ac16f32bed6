"""Staff screens of the referential, contacts, invitations, reminders and RGPD (under /equipe/).

Included by the back-office's URLs, in its namespace.
"""

from django.urls import path

from respondents.staff import privacy, team, views

urlpatterns = [
    path("collectivites/", views.collectivites, name="collectivites"),
    path("collectivites/<int:pk>/", views.collectivite_detail, name="collectivite"),
    path("contacts/", privacy.contact_list, name="contacts"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/confirmer/", team.confirm_contacts, name="contacts-confirm"),
    path("contacts/mouvements/", team.contact_events, name="contact-events"),
    path("contacts/<int:pk>/donnees-personnelles/", privacy.contact_detail, name="contact-privacy"),
    path(
        "contacts/<int:pk>/donnees-personnelles.json",
        privacy.contact_export,
        name="contact-export",
    ),
    path("contacts/<int:pk>/effacer/", privacy.contact_erase, name="contact-erase"),
    path(
        "contacts/<int:pk>/revoquer-liens/",
        views.revoke_contact_links,
        name="contact-revoke-links",
    ),
    path("contacts/lien/<int:pk>/revoquer/", views.revoke_link, name="link-revoke"),
    path("invitations/<int:year>/", views.edition_invitations, name="invitations"),
    path("invitations/<int:year>/import/", views.upload_contacts, name="invitations-upload"),
    path("invitations/lien/<int:pk>/revoquer/", views.revoke_invitation, name="invitation-revoke"),
    path("invitations/lien/<int:pk>/renvoyer/", views.resend_invitation, name="invitation-resend"),
    path("demandes-acces/", views.access_request_list, name="access-requests"),
    path(
        "demandes-acces/<int:pk>/<str:decision>/",
        views.decide_access_request,
        name="access-request-decide",
    ),
    path("courriels/", views.email_log, name="emails"),
    path("relances/<int:year>/", views.edition_reminders, name="reminders"),
]

"""Demo data of the respondents app, called by `setup_demo`."""

from django.conf import settings
from django.urls import reverse

from respondents.models import Collectivite, Contact, Invitation
from respondents.services.invitations import invite
from respondents.services.referential import import_referential
from surveys.models import Edition

# (INSEE code or SIREN, kind, first name, last name, role, e-mail)
DEMO_CONTACTS = [
    ("35238", "commune", "Rose", "Le Goff", "Chargée de participation", "rose.legoff@rennes.demo"),
    (
        "57463",
        "commune",
        "Paul",
        "Muller",
        "Adjoint à la démocratie locale",
        "paul.muller@metz.demo",
    ),
    ("243500139", "epci", "Inès", "Berthelot", "Cheffe de projet", "ines.berthelot@rm.demo"),
    ("33", "departement", "Jean", "Lafitte", "Directeur de cabinet", "jean.lafitte@gironde.demo"),
]


def import_collectivites(stdout) -> None:
    report = import_referential()
    counts = ", ".join(f"{count} {kind}" for kind, count in sorted(report.active.items()))
    stdout.write(f"Référentiel des collectivités importé en {report.seconds:.1f} s ({counts}).")


def create_demo_invitations(stdout) -> None:
    """Contacts and invitations for a few real collectivités, and one working magic link."""
    edition = Edition.objects.filter(year=2021).first()
    if edition is None:
        return
    for code, kind, first_name, last_name, role, email in DEMO_CONTACTS:
        collectivite = Collectivite.objects.filter(kind=kind, code=code).first()
        if collectivite is None:
            continue
        contact, _ = Contact.objects.update_or_create(
            collectivite=collectivite,
            email=email,
            defaults={"first_name": first_name, "last_name": last_name, "role": role},
        )
        invite(contact, edition, send=False)
    invitation = Invitation.objects.filter(
        edition=edition, contact__email=DEMO_CONTACTS[0][5]
    ).first()
    if invitation is None:
        return
    token = invitation.issue_token()
    stdout.write(
        f"Lien magique de démonstration (Rennes, édition {edition.year}) : "
        f"{settings.SITE_URL}{reverse('access:magic-link', args=[token])}"
    )

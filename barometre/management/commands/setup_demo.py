"""Prepare a local demo: accounts for each role, then the data the other apps provide.

Idempotent: running it again updates what is there. Refuses to run with DEBUG off, since it
creates accounts with well-known passwords.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from barometre.roles import ANALYSTS, STAFF
from respondents import demo as respondents_demo

DEMO_ACCOUNTS = [
    # username, password, role, is_superuser
    ("equipe", "equipe-demo-2021", STAFF, True),
    ("analyste", "analyste-demo-2021", ANALYSTS, False),
]


class Command(BaseCommand):
    help = "Crée les comptes et les données de démonstration (DEBUG uniquement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo ne s'utilise qu'en local (DEBUG=1).")
        self.create_accounts()
        respondents_demo.import_collectivites(self.stdout)
        # Keep last: needs the 2021 edition; prints the demo magic link.
        respondents_demo.create_demo_invitations(self.stdout)

    def create_accounts(self) -> None:
        User = get_user_model()
        for username, password, role, superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = superuser  # Django admin for the staff account only.
            user.is_superuser = superuser
            user.save()
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write("Comptes de démonstration prêts.")

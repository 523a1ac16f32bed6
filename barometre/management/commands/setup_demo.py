"""Prepare a local demo: accounts for each role, then the data the other apps provide.

Idempotent: running it again updates what is there. Refuses to run with DEBUG off, since it
creates accounts with well-known passwords.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from barometre.roles import ANALYSTS, STAFF
from surveys.models import Edition
from surveys.synthetic import seed_responses

DEMO_ACCOUNTS = [
    # username, password, role, is_superuser
    ("equipe", "equipe-demo-2021", STAFF, True),
    ("analyste", "analyste-demo-2021", ANALYSTS, False),
]
# Synthetic responses for the demo: edition year, number, statuses (seed = year, reproducible).
DEMO_RESPONSES = [(2021, 200, "mixed"), (2018, 150, "submitted")]


class Command(BaseCommand):
    help = "Crée les comptes et les données de démonstration (DEBUG uniquement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo ne s'utilise qu'en local (DEBUG=1).")
        self.create_accounts()
        self.seed_synthetic_responses()

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

    def seed_synthetic_responses(self) -> None:
        """Runs after the editions are imported; replaces the previous synthetic responses."""
        for year, count, status in DEMO_RESPONSES:
            edition = Edition.objects.filter(year=year).first()
            if edition is None:
                self.stdout.write(f"Pas d'édition {year} : pas de réponses fictives.")
                continue
            result = seed_responses(edition, count, seed=year, status=status)
            self.stdout.write(f"Édition {year} : {result.responses} réponses fictives.")

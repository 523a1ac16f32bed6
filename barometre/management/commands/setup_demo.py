"""Prepare a local demo: accounts for each role, then the data the other apps provide.

Idempotent: running it again updates what is there. Refuses to run with DEBUG off, since it
creates accounts with well-known passwords.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from barometre.roles import ANALYSTS, STAFF
from respondents import demo as respondents_demo
from surveys.definition import DefinitionError, import_definition, load_definition
from surveys.models import Edition
from surveys.protection import ProtectedChangeError
from surveys.synthetic import seed_responses

DEMO_ACCOUNTS = [
    # username, password, role, is_superuser
    ("equipe", "equipe-demo-2021", STAFF, True),
    ("analyste", "analyste-demo-2021", ANALYSTS, False),
]
# Editions shipped in editions/, imported with the status they have in the demo.
DEMO_EDITIONS = [("2021.yaml", Edition.Status.OPEN), ("2018.yaml", Edition.Status.PUBLISHED)]
OPENED, CLOSES = timedelta(days=7), timedelta(days=60)
# Synthetic responses for the demo: edition year, number, statuses (seed = year, reproducible).
DEMO_RESPONSES = [(2021, 200, "mixed"), (2018, 150, "submitted")]


class Command(BaseCommand):
    help = "Crée les comptes et les données de démonstration (DEBUG uniquement)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo ne s'utilise qu'en local (DEBUG=1).")
        self.create_accounts()
        respondents_demo.import_collectivites(self.stdout)
        self.import_editions()
        self.seed_synthetic_responses()
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

    def import_editions(self) -> None:
        """Create or update the shipped editions; the open one opened a week ago."""
        folder = settings.BASE_DIR / "editions"
        now = timezone.now()
        for filename, status in DEMO_EDITIONS:
            try:
                definition = load_definition(folder / filename)
                header = definition["edition"]
                if status == Edition.Status.OPEN and not header["opens_at"]:
                    # Keep the dates of a previous run, so that running again changes nothing.
                    previous = Edition.objects.filter(year=header["year"]).first()
                    header["opens_at"] = getattr(previous, "opens_at", None) or now - OPENED
                    header["closes_at"] = getattr(previous, "closes_at", None) or now + CLOSES
                edition, _ = import_definition(definition)
            except (DefinitionError, ProtectedChangeError) as exc:
                messages = exc.errors if isinstance(exc, DefinitionError) else exc.messages
                raise CommandError("\n".join(messages)) from exc
            if edition.status != status:
                edition.status = status
                edition.save(update_fields=["status", "updated_at"])
            self.stdout.write(f"Édition {edition.year} prête ({edition.get_status_display()}).")

    def seed_synthetic_responses(self) -> None:
        """Runs after the editions are imported; replaces the previous synthetic responses."""
        for year, count, status in DEMO_RESPONSES:
            edition = Edition.objects.filter(year=year).first()
            if edition is None:
                self.stdout.write(f"Pas d'édition {year} : pas de réponses fictives.")
                continue
            result = seed_responses(edition, count, seed=year, status=status)
            self.stdout.write(f"Édition {year} : {result.responses} réponses fictives.")

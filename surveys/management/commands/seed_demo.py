"""`seed_demo --edition 2021 --respondents 200`: synthetic responses for an edition.

Replaces the edition's previous synthetic responses; real responses are never touched.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Edition
from surveys.synthetic import seed_responses


class Command(BaseCommand):
    help = "Génère des réponses fictives valides pour une édition (démo, tests, mesures)."

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="année de l'édition")
        parser.add_argument("--respondents", type=int, required=True, help="nombre de réponses")
        parser.add_argument("--seed", type=int, default=None, help="graine (reproductible)")
        parser.add_argument(
            "--status",
            choices=["submitted", "mixed"],
            default="submitted",
            help="toutes envoyées, ou un mélange de brouillons, envoyées et validées",
        )

    def handle(self, *args, edition, respondents, seed, status, **options):
        if respondents < 0:
            raise CommandError("--respondents doit être positif ou nul.")
        try:
            target = Edition.objects.get(year=edition)
        except Edition.DoesNotExist:
            raise CommandError(f"Aucune édition {edition} : importez-la d'abord.") from None
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(done: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {done} / {respondents}")

        result = seed_responses(target, respondents, seed=seed, status=status, progress=progress)
        elapsed = time.monotonic() - started
        created = (
            f", dont {result.created_collectivites} collectivités fictives créées"
            if result.created_collectivites
            else ""
        )
        if verbosity >= 2:
            phases = ", ".join(
                f"{name} {seconds:.1f} s" for name, seconds in result.timings.items()
            )
            self.stdout.write(f"  Durées : {phases}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Édition {edition} : {result.responses} réponses fictives "
                f"({result.answers} réponses aux questions){created}, en {elapsed:.1f} s."
            )
        )

"""Prepare next year's edition from an existing one, keeping every code."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys.definition.evolution import clone_edition, next_edition_title
from surveys.models import Edition


class Command(BaseCommand):
    help = "Prépare une nouvelle édition (brouillon) à partir d'une édition existante."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année de l'édition à reprendre")
        parser.add_argument("new_year", type=int, help="année de la nouvelle édition")
        parser.add_argument("--title", help="titre de la nouvelle édition")

    def handle(self, *args, **options):
        source = Edition.objects.filter(year=options["year"]).first()
        if source is None:
            raise CommandError(f"Aucune édition {options['year']}.")
        title = options["title"] or next_edition_title(source, options["new_year"])
        try:
            clone = clone_edition(source, options["new_year"], title)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Édition {clone.year} préparée à partir de {source.year} : {clone.title} "
            f"({clone.questions.count()} questions, en brouillon)."
        )

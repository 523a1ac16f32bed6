"""Write an edition's definition file (YAML), which import_edition reads back identically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.definition import dump_definition, export_definition
from surveys.models import Edition


class Command(BaseCommand):
    help = "Exporte la définition d'une édition en YAML (sortie standard ou --output)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="année de l'édition, par exemple 2021")
        parser.add_argument("--output", "-o", help="fichier à écrire (sinon la sortie standard)")

    def handle(self, *args, **options):
        edition = Edition.objects.filter(year=options["year"]).first()
        if edition is None:
            raise CommandError(f"Aucune édition {options['year']}.")
        text = dump_definition(export_definition(edition))
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Édition {edition.year} exportée dans {options['output']}.")
        else:
            self.stdout.write(text, ending="")

from django.core.management.base import BaseCommand, CommandError

from exports.services.jobs import export_responses, schema_path
from surveys.models import Edition


class Command(BaseCommand):
    help = "Exporte les réponses d'une édition en XLSX ou CSV open data (l'exporteur du web)."

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="année de l'édition")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", required=True, help="fichier à écrire")
        parser.add_argument(
            "--labels", action="store_true", help="réponses en libellés (par défaut : en codes)"
        )

    def handle(self, *args, edition, format, output, labels, **options):
        found = Edition.objects.filter(year=edition).first()
        if found is None:
            raise CommandError(f"Aucune édition {edition}.")

        def on_progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total}")

        rows = export_responses(found, format, output, labels=labels, on_progress=on_progress)
        self.stdout.write(f"{rows} lignes écrites dans {output}")
        if format == "csv":
            self.stdout.write(f"Schéma (Table Schema) : {schema_path(output)}")

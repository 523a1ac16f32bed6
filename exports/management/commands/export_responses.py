from django.core.management.base import BaseCommand, CommandError

from exports.models import ExportJob
from exports.services.exporters import COLUMN_GROUPS
from exports.services.jobs import export_responses, schema_path
from surveys.models import Edition


class Command(BaseCommand):
    help = (
        "Exporte les réponses d'une édition en XLSX, CSV open data, CSV pour Excel (France), "
        "SPSS (sav) ou Stata (dta : un ZIP des tables et du dictionnaire) (l'exporteur du web)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="année de l'édition")
        parser.add_argument("--format", choices=ExportJob.Format.values, default="xlsx")
        parser.add_argument(
            "--sections", nargs="+", help="codes des sections à exporter (par défaut : toutes)"
        )
        parser.add_argument(
            "--intitules", action="store_true", help="en-têtes : intitulés plutôt que codes"
        )
        parser.add_argument(
            "--sans",
            nargs="+",
            choices=list(COLUMN_GROUPS),
            default=[],
            help="groupes de colonnes à laisser de côté",
        )
        parser.add_argument("--output", required=True, help="fichier à écrire")
        parser.add_argument(
            "--labels", action="store_true", help="réponses en libellés (par défaut : en codes)"
        )

    def handle(self, *args, edition, format, output, labels, sections, intitules, sans, **options):
        found = Edition.objects.filter(year=edition).first()
        if found is None:
            raise CommandError(f"Aucune édition {edition}.")
        known = set(found.sections.values_list("code", flat=True))
        if unknown := sorted(set(sections or ()) - known):
            raise CommandError(f"L'édition {edition} n'a pas de section : {', '.join(unknown)}.")

        def on_progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total}")

        rows = export_responses(
            found,
            format,
            output,
            labels=labels,
            sections=sections,
            omit=sans,
            header_labels=intitules,
            on_progress=on_progress,
        )
        self.stdout.write(f"{rows} lignes écrites dans {output}")
        if format == "csv":
            self.stdout.write(f"Schéma (Table Schema) : {schema_path(output)}")

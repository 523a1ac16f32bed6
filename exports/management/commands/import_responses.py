from django.core.management.base import BaseCommand, CommandError

from exports.services.importer import ImportFailed, import_responses
from surveys.models import Edition


class Command(BaseCommand):
    help = (
        "Importe les réponses d'une édition depuis un XLSX au format de l'export "
        "(feuilles Réponses et Dispositifs) ; rien n'est écrit si une cellule est invalide."
    )

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="année de l'édition")
        parser.add_argument("file", help="fichier XLSX")

    def handle(self, *args, edition, file, **options):
        found = Edition.objects.filter(year=edition).first()
        if found is None:
            raise CommandError(f"Aucune édition {edition} : importez d'abord sa définition.")
        try:
            result = import_responses(found, file)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Import refusé : {len(exc.errors)} erreur(s), rien n'a été enregistré."
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Fichier illisible : {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.responses} réponses importées ({result.answers} réponses aux questions, "
                f"{result.items} éléments de listes)."
            )
        )

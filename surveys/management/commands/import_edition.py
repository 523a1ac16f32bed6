"""Create or update an edition from its definition file (format: editions/README.md)."""

from django.core.management.base import BaseCommand, CommandError

from surveys.definition import DefinitionError, import_definition, load_definition
from surveys.protection import ProtectedChangeError


class Command(BaseCommand):
    help = "Importe (crée ou met à jour) une édition depuis son fichier de définition YAML."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier YAML, par exemple editions/2021.yaml")

    def handle(self, *args, **options):
        try:
            definition = load_definition(options["file"])
            edition, changed = import_definition(definition)
        except DefinitionError as exc:
            raise CommandError(
                f"Définition refusée ({len(exc.errors)} erreur(s)) :\n" + "\n".join(exc.errors)
            ) from exc
        except ProtectedChangeError as exc:
            raise CommandError(
                "Import refusé, l'édition a déjà des réponses :\n" + "\n".join(exc.messages)
            ) from exc
        if changed:
            self.stdout.write(f"Édition {edition.year} importée : {edition.title}.")
        else:
            self.stdout.write(f"Édition {edition.year} déjà à jour : rien n'a changé.")

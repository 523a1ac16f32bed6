from django.core.management.base import BaseCommand, CommandError

from respondents.models import Collectivite
from respondents.services.referential import (
    DEFAULT_DATA_DIR,
    ReferentialError,
    import_referential,
)
from respondents.signals import referential_changed


class Command(BaseCommand):
    help = (
        "Importe ou met à jour le référentiel des collectivités depuis le découpage administratif "
        "d'Etalab (@etalab/decoupage-administratif). Idempotent : les entités disparues sont "
        "désactivées, jamais supprimées."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=str(DEFAULT_DATA_DIR),
            help="Dossier contenant communes.json, epci.json, departements.json et regions.json.",
        )

    def handle(self, *args, data_dir, **options):
        try:
            report = import_referential(data_dir)
        except ReferentialError as exc:
            raise CommandError(str(exc)) from exc
        labels = dict(Collectivite.Kind.choices)
        for kind in Collectivite.Kind.values:
            self.stdout.write(
                f"{labels[kind]} : {report.active[kind]} actives "
                f"({report.created[kind]} créées, {report.updated[kind]} mises à jour, "
                f"{report.deactivated[kind]} désactivées)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Référentiel importé en {report.seconds:.1f} s depuis {data_dir}.")
        )
        if any(report.updated.values()):
            # Populations and régions place each response in the results' cells: recount.
            referential_changed.send(sender=Collectivite)
            self.stdout.write("Recalcul des résultats demandé (populations ou régions modifiées).")

from django.core.management.base import BaseCommand

from exports.results.tasks import recompute_all_results


class Command(BaseCommand):
    help = (
        "Recompte les réponses de chaque édition et recalcule ses résultats (ce que fait la "
        "tâche de nuit) ; à lancer au déploiement après une mise à jour depuis une version sans "
        "comptages."
    )

    def handle(self, *args, **options):
        editions = recompute_all_results()
        self.stdout.write(self.style.SUCCESS(f"Résultats recomptés pour {editions} édition(s)."))

"""Two agents saving the same page at the same moment: one wins, the other is refused."""

import threading

import pytest
from django.db import connection

from surveys import filling
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import bound_form, stored


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_the_same_version_never_both_succeed(rennes):
    edition = build_edition(2030)
    response = filling.response_for(edition, rennes)
    choices = ["elu", "dgs", "autre"]
    barrier = threading.Barrier(len(choices))
    outcomes: dict[str, str] = {}

    def agent(choice: str) -> None:
        try:
            mine = Response.objects.select_related("edition", "collectivite").get(pk=response.pk)
            precision = "Élue déléguée" if choice == "autre" else ""
            form = bound_form(
                mine, "profil", fonction_repondant=choice, fonction_repondant_autre=precision
            )
            form.is_valid()
            barrier.wait(timeout=10)
            filling.save_section(mine, form, 0)
            outcomes[choice] = "saved"
        except filling.StaleVersion:
            outcomes[choice] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=agent, args=(choice,)) for choice in choices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["refused", "refused", "saved"]
    winner = next(choice for choice, outcome in outcomes.items() if outcome == "saved")
    response.refresh_from_db()
    assert response.version == 1
    assert stored(response, "fonction_repondant") == winner

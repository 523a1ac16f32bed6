"""Editions stored before the rules moved to their files get them at the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys.models import Edition
from tests.edition_rules import shipped_rules


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_stored_editions_take_the_rules_of_their_shipped_file_and_a_clone_its_sources():
    old = migrate([("surveys", "0006_edition_closed_at")])
    Past = old.get_model("surveys", "Edition")
    for year in (2018, 2021, 2022, 2035):
        Past.objects.create(year=year, title=f"Baromètre {year}")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    migrate(executor.loader.graph.leaf_nodes())
    rules = dict(Edition.objects.values_list("year", "rules"))
    assert rules[2018] == shipped_rules(2018)
    assert rules[2021] == shipped_rules(2021)
    # 2022 and 2035 were cloned from 2021 (no file of their own): they keep its rules.
    assert rules[2022] == rules[2035] == shipped_rules(2021)

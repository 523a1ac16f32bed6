"""PostgreSQL connection terminated in the middle of a request: a French 503, nothing half-saved.

Needs PostgreSQL (`pg_terminate_backend`); CI runs the suite on it (see conftest).
"""

import re

import psycopg
import pytest
from django.db import connection

from surveys.models import Answer, Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter

from . import urls

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
YEAR = 2030


def terminate_before(table: str):
    """An execute wrapper that kills this connection's backend just before it writes `table`."""
    settings = connection.settings_dict
    killed = []

    def wrapper(execute, sql, params, many, context):
        if not killed and sql.startswith(f'INSERT INTO "{table}"'):
            pid = context["connection"].connection.info.backend_pid
            with psycopg.connect(
                host=settings["HOST"] or "127.0.0.1",
                port=settings["PORT"] or 5432,
                user=settings["USER"],
                password=settings["PASSWORD"] or None,
                dbname=settings["NAME"],
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pid)
        return execute(sql, params, many, context)

    return wrapper, killed


def test_a_page_saved_while_its_connection_is_terminated_answers_in_french(client, rennes):
    edition = build_edition(YEAR)
    enter(client, edition, rennes)
    profil = urls.section(YEAR, "profil")
    version = re.search(r'name="version" value="(\d+)"', client.get(profil).text).group(1)
    client.post(profil, {"version": version, "fonction_repondant": "dgs"})
    page = urls.section(YEAR, "moyens")
    version = re.search(r'name="version" value="(\d+)"', client.get(page).text).group(1)
    response = Response.objects.get(edition=edition)
    before = (response.version, response.saved_sections)

    wrapper, killed = terminate_before("surveys_answer")
    with connection.execute_wrapper(wrapper):
        saved = client.post(
            page, {"version": version, "nb_reunions": "3", "budget_participation": "1000"}
        )
    connection.close()

    assert killed, "la connexion n'a pas été coupée pendant l'enregistrement"
    assert saved.status_code == 503
    assert "rien n&#x27;a été enregistré" in saved.text or "rien n'a été enregistré" in saved.text
    response.refresh_from_db()
    # The version claim made before the cut was rolled back with the rest.
    assert (response.version, response.saved_sections) == before
    assert list(
        Answer.objects.filter(response=response).values_list("question__code", flat=True)
    ) == ["fonction_repondant"]

    # The database is back: the same page saves normally.
    again = client.post(
        page, {"version": version, "nb_reunions": "3", "budget_participation": "1000"}
    )
    assert again.status_code in (200, 302)
    assert Answer.objects.filter(response=response).count() == 3

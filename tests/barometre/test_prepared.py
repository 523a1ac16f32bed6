"""barometre.prepared: a hot query compiled once gives what the queryset itself gives."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from barometre.prepared import PreparedQuery
from respondents.access import _invitation_named
from respondents.models import Contact, Invitation, MagicLink
from surveys import filling
from surveys.filling import saving
from surveys.filling.previous import PREVIOUS_ID
from surveys.filling.saving import _response_of
from surveys.models import Answer, Edition, Question, Response
from surveys.visibility import _answers_of, stored_answers
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter


def fields(obj) -> dict:
    return {name: value for name, value in vars(obj).items() if name != "_state"}


def same_invitation(prepared, orm) -> None:
    """Every column of the four rows, and the annotation, equal to what the ORM read."""
    assert prepared is not None and orm is not None
    assert prepared.pk == orm.pk
    for name in ("edition", "collectivite", "contact"):
        assert fields(getattr(prepared, name)) == fields(getattr(orm, name)), name
    assert fields(prepared) == fields(orm)
    # Loaded as the ORM loads: saved, from this database; JSON decoded, not text.
    assert prepared._state.adding is False and prepared._state.db == "default"
    assert isinstance(prepared.edition.rules, dict)


@pytest.fixture
def editions(db):
    def edition(year: int) -> Edition:
        return Edition.objects.create(
            year=year,
            title=f"Baromètre {year}",
            status=Edition.Status.OPEN,
            closes_at=timezone.now() + timedelta(days=30),
            rules={"indicateurs": [{"code": "x"}]},
        )

    return edition(2020), edition(2021)


@pytest.fixture
def invitations(editions, rennes, metz_metropole):
    made = {}
    for collectivite in (rennes, metz_metropole):
        contact = Contact.objects.create(
            collectivite=collectivite,
            first_name="A",
            last_name="B",
            email=f"{collectivite.pk}@t.test",
        )
        for edition in editions:
            invitation = Invitation.objects.create(
                edition=edition, collectivite=collectivite, contact=contact
            )
            invitation.issue_token()
            made[collectivite.pk, edition.year] = invitation
    return made


def named(*invitations: Invitation, year: int, links: list[int] | None = None) -> dict:
    return {
        "year": year,
        "invitations": [i.pk for i in invitations],
        "editions": [i.edition_id for i in invitations],
        "collectivites": [i.collectivite_id for i in invitations],
        "contacts": [i.contact_id for i in invitations],
        "links": links if links is not None else [i.links.get().pk for i in invitations],
    }


def test_the_access_query_gives_what_the_queryset_gives_for_every_shape(invitations, rennes):
    query = PreparedQuery(_invitation_named)
    rennes_2020, rennes_2021 = invitations[rennes.pk, 2020], invitations[rennes.pk, 2021]
    cases = [
        named(rennes_2021, year=2021),
        named(rennes_2021, year=2021, links=[]),  # a session opened without a link
        named(rennes_2020, rennes_2021, year=2021),  # a browser holding two editions
        named(rennes_2020, rennes_2021, year=2020),
    ]
    for values in cases:
        orm = _invitation_named(**values).first()
        same_invitation(query.first(**values), orm)
    assert query.first(**cases[0]).link_unrevoked is True
    assert query.first(**cases[1]).link_unrevoked is False
    # Three shapes (the last two cases share one), each compiled once however often it runs.
    assert query.compilations == 3


def test_each_call_runs_with_its_own_values(invitations, rennes, metz_metropole):
    query = PreparedQuery(_invitation_named)
    rennes_2021, metz_2021 = invitations[rennes.pk, 2021], invitations[metz_metropole.pk, 2021]
    assert query.first(**named(rennes_2021, year=2021)).collectivite == rennes
    assert query.first(**named(metz_2021, year=2021)).collectivite == metz_metropole
    # Rennes' invitation with Metz's contact, or the wrong year: nothing.
    mixed = named(rennes_2021, year=2021) | {"contacts": [metz_2021.contact_id]}
    assert query.first(**mixed) is None
    assert query.first(**named(rennes_2021, year=2020)) is None
    # A revoked link reads as revoked at once: the SQL is kept, never the rows.
    MagicLink.objects.filter(invitation=rennes_2021).update(revoked_at=timezone.now())
    assert query.first(**named(rennes_2021, year=2021)).link_unrevoked is False
    assert query.compilations == 1


def test_a_value_that_is_not_an_integer_is_read_by_the_queryset(invitations, rennes):
    query = PreparedQuery(_invitation_named)
    values = named(invitations[rennes.pk, 2021], year=2021)
    values["contacts"] = [str(values["contacts"][0])]
    assert (
        query.first(**values) == _invitation_named(**values).first() == invitations[rennes.pk, 2021]
    )
    assert query.compilations == 0


def test_the_response_query_carries_last_editions_response(editions, rennes, metz_metropole):
    edition_2020, edition_2021 = editions
    Response.objects.create(
        edition=edition_2020, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    query = PreparedQuery(_response_of)
    for collectivite in (rennes, metz_metropole):
        Response.objects.create(edition=edition_2021, collectivite=collectivite)
        values = {"year": 2021, "edition": edition_2021.pk, "collectivite": collectivite.pk}
        prepared, orm = query.first(**values), _response_of(**values).first()
        assert fields(prepared) == fields(orm)
    assert getattr(
        query.first(year=2021, edition=edition_2021.pk, collectivite=rennes.pk), PREVIOUS_ID
    )
    assert (
        getattr(
            query.first(year=2021, edition=edition_2021.pk, collectivite=metz_metropole.pk),
            PREVIOUS_ID,
        )
        is None
    )
    assert query.first(year=2021, edition=edition_2020.pk, collectivite=metz_metropole.pk) is None
    assert query.compilations == 1


def test_a_thread_compiles_on_its_own_connection(db):
    """A compiler belongs to its connection's thread: another thread prepares its own."""
    query = PreparedQuery(_response_of)
    values = {"year": 2021, "edition": 1, "collectivite": 1}
    assert query.first(**values) is None
    found = []

    def other_thread():
        try:
            found.append(query.first(**values))
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found == [None]
    assert query.compilations == 2
    query.first(**values)
    assert query.compilations == 2


def test_a_first_visit_creates_the_response_in_two_queries(editions, rennes):
    edition = editions[1]

    def statements(context) -> list[str]:  # the test's savepoints left out
        return [q["sql"].split()[0] for q in context if "SAVEPOINT" not in q["sql"]]

    with CaptureQueriesContext(connection) as first_visit:
        created = filling.response_for(edition, rennes)
    with CaptureQueriesContext(connection) as next_visit:
        again = filling.response_for(edition, rennes)
    assert statements(first_visit) == ["SELECT", "INSERT"]
    assert statements(next_visit) == ["SELECT"]
    assert again.pk == created.pk and again.status == Response.Status.DRAFT
    assert Response.objects.filter(edition=edition, collectivite=rennes).count() == 1


def test_two_first_visits_at_once_share_one_response(editions, rennes, monkeypatch):
    """The other request's INSERT lands between this one's read and its own: the constraint
    refuses the second row, and the response is read again."""
    edition = editions[1]
    other = Response.objects.create(edition=edition, collectivite=rennes)
    real_first = saving._RESPONSE.first
    misses = iter([None])  # the read that ran before the other request's INSERT
    monkeypatch.setattr(
        saving._RESPONSE, "first", lambda **values: next(misses, None) or real_first(**values)
    )
    assert filling.response_for(edition, rennes).pk == other.pk
    assert Response.objects.filter(edition=edition, collectivite=rennes).count() == 1


def test_a_value_beyond_its_column_is_answered_as_the_orm_answers(invitations, rennes, client):
    """A year from the URL can be any number: the database would refuse it as a small integer
    (PostgreSQL: "smallint out of range"), the ORM answers "no row" without asking."""
    query = PreparedQuery(_invitation_named)
    values = named(invitations[rennes.pk, 2021], year=2021)
    assert query.first(**values) is not None
    for year in (40_000, 2**31, 10**30, -(10**30)):
        assert query.first(**values | {"year": year}) is None
    assert query.compilations == 1
    response = PreparedQuery(_response_of)
    assert response.first(year=10**30, edition=1, collectivite=1) is None
    # Through the pages: an agent's session, a year no column holds.
    enter(client, invitations[rennes.pk, 2021].edition, rennes)
    assert client.get("/repondre/2021/").status_code == 200
    assert client.get(f"/repondre/{10**30}/").status_code == 403


def test_all_gives_every_row_the_queryset_gives_in_its_order(rennes, metz_metropole):
    """`all`: the stored answers of a response (JSON values of every kind, roster items), as the
    ORM reads them; another response gets its own; a response without any, none."""
    edition = build_edition(2030)
    questions = list(Question.objects.filter(section__edition=edition).order_by("pk"))
    values = ["texte « accentué »", ["a", "b"], {"ligne": "oui"}, 12, {"vide": None}, 3.5, True]
    full = Response.objects.create(edition=edition, collectivite=rennes)
    empty = Response.objects.create(edition=edition, collectivite=metz_metropole)
    # Created out of the questions' order, one on a roster item: read back by id.
    for index, question in reversed(list(enumerate(questions[:7]))):
        Answer.objects.create(
            response=full,
            question=question,
            item=index % 3,
            value=values[index],
            number=Decimal("12.5000") if index == 3 else None,
            other_text="précisez" if index == 1 else "",
        )
    query = PreparedQuery(_answers_of)
    prepared = query.all(response=full.pk)
    orm = list(_answers_of(full.pk))
    assert [a.pk for a in prepared] == [a.pk for a in orm] == sorted(a.pk for a in orm)
    assert [fields(a) for a in prepared] == [fields(a) for a in orm]
    assert {type(a.value) for a in prepared} == {str, list, dict, int, float, bool}
    assert all(a._state.adding is False and a._state.db == "default" for a in prepared)
    assert query.all(response=empty.pk) == []
    assert query.compilations == 1
    # `first` on the same query is another plan (LIMIT 1), compiled once too.
    assert fields(query.first(response=full.pk)) == fields(orm[0])
    assert query.first(response=empty.pk) is None
    assert query.compilations == 2


def test_stored_answers_come_with_their_response_and_questions_without_a_query(
    rennes, django_assert_num_queries
):
    edition = build_edition(2030)
    response = Response.objects.create(edition=edition, collectivite=rennes)
    question = Question.objects.filter(section__edition=edition).order_by("pk").first()
    Answer.objects.create(response=response, question=question, value="oui")
    stored_answers(response)  # the compiled edition, read once per process
    with django_assert_num_queries(1):
        (answer,) = stored_answers(response)
        assert answer.response is response
        assert answer.question.code == question.code
        assert answer.value == "oui"

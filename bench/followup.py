"""Times the follow-up of an edition on a referential the size of France.

Run against an empty, migrated database of its own (it creates its data, then deletes it):

    createdb -h 127.0.0.1 -U postgres baro_bench_followup
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/baro_bench_followup
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python bench/followup.py

`--jit` keeps PostgreSQL's JIT on, to compare.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from respondents.models import Collectivite, Contact, Invitation  # noqa: E402
from respondents.services import invitations  # noqa: E402
from surveys.backoffice import followup, pictures  # noqa: E402
from surveys.backoffice.spreadsheet import xlsx_bytes  # noqa: E402
from surveys.models import Answer, Edition, Question, Response, Section  # noqa: E402

COMMUNES, INVITED, OPENED, STARTED, SUBMITTED = 35_000, 12_000, 6_000, 3_000, 2_000
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]


def populate() -> Edition:
    rng = random.Random(2021)
    edition = Edition.objects.create(year=2099, title="Banc de suivi", status="open")
    section = Section.objects.create(edition=edition, code="s", title="S")
    question = Question.objects.create(
        edition=edition, section=section, code="nb", type="integer", text="Nombre"
    )
    Collectivite.objects.bulk_create(
        [
            Collectivite(
                kind="commune",
                code=f"B{n:05d}",
                name=f"Commune {n}",
                search_name=f"commune {n}",
                population=int(rng.paretovariate(1.2) * 300),
                region_code=rng.choice(REGIONS),
                departement_code=f"{rng.randint(1, 95):02d}",
            )
            for n in range(COMMUNES)
        ],
        batch_size=5000,
    )
    ids = list(Collectivite.objects.filter(code__startswith="B").values_list("pk", flat=True))
    invited = rng.sample(ids, INVITED)
    Contact.objects.bulk_create(
        [Contact(collectivite_id=pk, email=f"agent{pk}@bench.test") for pk in invited],
        batch_size=5000,
    )
    contacts = dict(
        Contact.objects.filter(email__endswith="@bench.test").values_list("collectivite", "pk")
    )
    now = timezone.now()
    Invitation.objects.bulk_create(
        [
            Invitation(
                edition=edition,
                collectivite_id=pk,
                contact_id=contacts[pk],
                first_used_at=now - timedelta(days=n % 40) if n < OPENED else None,
                last_used_at=now if n < OPENED else None,
            )
            for n, pk in enumerate(invited)
        ],
        batch_size=5000,
    )
    responding = invited[:STARTED]
    Response.objects.bulk_create(
        [
            Response(
                edition=edition,
                collectivite_id=pk,
                status="submitted" if n < SUBMITTED else "draft",
                submitted_at=now if n < SUBMITTED else None,
            )
            for n, pk in enumerate(responding)
        ]
    )
    Answer.objects.bulk_create(
        [Answer(response=r, question=question, value=1) for r in edition.responses.all()],
        batch_size=5000,
    )
    return edition


def timed(label: str, action) -> None:
    start = time.perf_counter()
    result = action()
    print(f"{label:<48} {1000 * (time.perf_counter() - start):8.0f} ms  {result}")


def main() -> None:
    with transaction.atomic():
        start = time.perf_counter()
        edition = populate()
        with connection.cursor() as cursor:
            # Production tables have planner statistics; fresh rows in this transaction do not.
            cursor.execute("ANALYZE")
            if "--jit" not in sys.argv:
                # As the follow-up views do (followup.planned_without_jit).
                cursor.execute("SET LOCAL jit = off")
        print(f"données créées en {time.perf_counter() - start:.1f} s ({connection.vendor})")
        timed(
            "chiffres (ensemble + 3 ventilations, 1 requête)",
            lambda: followup.all_figures(edition)[0].submitted,
        )
        filters = followup.ListFilters(status=followup.NOT_SUBMITTED)

        def first_page():
            rows = followup.with_details(edition, followup.filtered(edition, filters))
            return len(list(rows[:50]))

        timed("liste, première page (50, pas encore envoyées)", first_page)
        timed(
            "carte par département (1 requête)",
            lambda: sum(d.total for d in pictures.by_departement(edition)),
        )
        timed(
            "courbe de la vague jour par jour (1 requête)",
            lambda: len(pictures.daily_curve(edition)["rows"]),
        )
        timed(
            "invitations : portée de tout le référentiel (1 requête)",
            lambda: invitations.reach(Collectivite.objects.filter(is_active=True), edition).emails,
        )

        def export():
            rows = followup.with_details(edition, followup.filtered(edition, filters))
            data = xlsx_bytes(
                "Suivi",
                ["Collectivité", "Statut", "Contacts"],
                (
                    [r.name, r.step, followup.contacts_text(r.edition_contacts)]
                    for r in rows.iterator(chunk_size=2000)
                ),
            )
            return f"{len(data) // 1024} Kio"

        timed("export XLSX de la liste (10 000 lignes)", export)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()

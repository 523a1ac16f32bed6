"""Import of the collectivités referential from Etalab's découpage administratif (npm package).

Reads `communes.json`, `epci.json`, `departements.json` and `regions.json` as published in
`@etalab/decoupage-administratif/data/`. Only current communes (`commune-actuelle`) are kept:
associated and delegated communes and municipal arrondissements are not respondents. Overseas
collectivités (zone `com`: Polynésie, Nouvelle-Calédonie…) are outside the baromètre.

The sync is idempotent and set-based: one read of the table, bulk creates and updates of the
rows that changed, and every entity absent from the data is marked inactive, never deleted.
"""

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Field
from django.utils import timezone

from respondents.models import Collectivite, PostalCode, normalise_name

DEFAULT_DATA_DIR = settings.NODE_MODULES / "@etalab" / "decoupage-administratif" / "data"
FILES = ("communes.json", "epci.json", "departements.json", "regions.json")
SYNCED_FIELDS = (
    "siren",
    "name",
    "search_name",
    "epci_type",
    "population",
    "departement_code",
    "region_code",
    "postcodes",
    "is_active",
)
BATCH_SIZE = 2000
Kind = Collectivite.Kind


class ReferentialError(Exception):
    """The data directory is missing a file or holds something else than expected."""


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deactivated: Counter = field(default_factory=Counter)
    active: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _read(data_dir: Path, name: str) -> list[dict]:
    path = data_dir / name
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as exc:
        raise ReferentialError(f"Fichier introuvable : {path}") from exc
    except json.JSONDecodeError as exc:
        raise ReferentialError(f"{path} n'est pas un JSON valide : {exc}") from exc
    if not isinstance(data, list):
        raise ReferentialError(f"{path} devrait contenir une liste.")
    return data


def _row(kind: str, code: str, name: str, **values) -> dict:
    row: dict[str, Any] = {
        "kind": kind,
        "code": code,
        "siren": "",
        "name": name,
        "search_name": normalise_name(name),
        "epci_type": "",
        "population": None,
        "departement_code": "",
        "region_code": "",
        "postcodes": [],
        "is_active": True,
    }
    row.update(values)
    return row


def _majority(weights: Counter) -> str:
    """The key with the largest weight; ties go to the smallest code, so runs agree."""
    if not weights:
        return ""
    return min(weights, key=lambda key: (-weights[key], key))


def read_referential(data_dir: Path) -> dict[tuple[str, str], dict]:
    """The wanted rows, keyed by (kind, code), from the package's four files."""
    communes, epcis, departements, regions = (_read(data_dir, name) for name in FILES)
    rows: dict[tuple[str, str], dict] = {}
    population_by_departement: Counter = Counter()
    population_by_region: Counter = Counter()
    commune_places: dict[str, tuple[str, str]] = {}

    for commune in communes:
        if commune.get("type") != "commune-actuelle" or commune.get("zone") == "com":
            continue
        population = commune.get("population")
        departement, region = commune.get("departement", ""), commune.get("region", "")
        rows[(Kind.COMMUNE, commune["code"])] = _row(
            Kind.COMMUNE,
            commune["code"],
            commune["nom"],
            siren=commune.get("siren", ""),
            population=population,
            departement_code=departement,
            region_code=region,
            postcodes=sorted(set(commune.get("codesPostaux", []))),
        )
        commune_places[commune["code"]] = (departement, region)
        population_by_departement[departement] += population or 0
        population_by_region[region] += population or 0

    for epci in epcis:
        by_departement: Counter = Counter()
        by_region: Counter = Counter()
        for member in epci.get("membres", []):
            place = commune_places.get(member.get("code"))
            if place:
                weight = member.get("populationMunicipale") or 0
                by_departement[place[0]] += weight
                by_region[place[1]] += weight
        # The package gives no seat: the EPCI lies where most of its inhabitants live.
        rows[(Kind.EPCI, epci["code"])] = _row(
            Kind.EPCI,
            epci["code"],
            epci["nom"],
            siren=epci["code"],
            epci_type=epci.get("type", ""),
            population=epci.get("populationMunicipale"),
            departement_code=_majority(by_departement),
            region_code=_majority(by_region),
        )

    for departement in departements:
        if departement.get("zone") == "com":
            continue
        code = departement["code"]
        rows[(Kind.DEPARTEMENT, code)] = _row(
            Kind.DEPARTEMENT,
            code,
            departement["nom"],
            population=population_by_departement.get(code, 0),
            departement_code=code,
            region_code=departement.get("region", ""),
        )

    for region in regions:
        if region.get("zone") == "com":
            continue
        code = region["code"]
        rows[(Kind.REGION, code)] = _row(
            Kind.REGION,
            code,
            region["nom"],
            population=population_by_region.get(code, 0),
            region_code=code,
        )
    return rows


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_referential(rows: dict[tuple[str, str], dict], report: ImportReport) -> None:
    now = timezone.now()
    existing = {
        (values["kind"], values["code"]): values
        for values in Collectivite.objects.values("id", "kind", "code", *SYNCED_FIELDS)
    }
    to_create, to_update, to_deactivate = [], [], []
    for key, row in rows.items():
        current = existing.get(key)
        if current is None:
            to_create.append(Collectivite(**row))
            report.created[key[0]] += 1
        elif any(current[name] != row[name] for name in SYNCED_FIELDS):
            to_update.append((current["id"], row))
            report.updated[key[0]] += 1
    for key, current in existing.items():
        if key not in rows and current["is_active"]:
            to_deactivate.append(current["id"])
            report.deactivated[key[0]] += 1

    for batch in _batches(to_create):
        Collectivite.objects.bulk_create(batch)
    _update_rows(to_update, now)
    for batch in _batches(to_deactivate):
        Collectivite.objects.filter(pk__in=batch).update(is_active=False, updated_at=now)
    _sync_postal_codes(rows)


def _update_rows(updates: list[tuple[int, dict]], now) -> None:
    """One parameterised UPDATE run for all changed rows (pipelined by psycopg).

    Django's bulk_update builds a CASE per field over each batch, which took minutes for a
    yearly refresh of every population.
    """
    if not updates:
        return
    fields: list[Field] = []
    columns: list[str] = []
    for name in (*SYNCED_FIELDS, "updated_at"):
        model_field = Collectivite._meta.get_field(name)
        # Concrete columns of the model, never relations.
        assert isinstance(model_field, Field) and model_field.column is not None
        fields.append(model_field)
        columns.append(model_field.column)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    # Identifiers come from the model, values are parameters.
    sql = f"UPDATE {quote(Collectivite._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608
    params = [
        [
            field.get_db_prep_save(
                now if field.name == "updated_at" else row[field.name], connection
            )
            for field in fields
        ]
        + [pk]
        for pk, row in updates
    ]
    with connection.cursor() as cursor:
        for batch in _batches(params):
            cursor.executemany(sql, batch)


def _sync_postal_codes(rows: dict[tuple[str, str], dict]) -> None:
    ids = {
        (kind, code): pk
        for pk, kind, code in Collectivite.objects.values_list("id", "kind", "code")
    }
    wanted = {(ids[key], postcode) for key, row in rows.items() for postcode in row["postcodes"]}
    present = {}
    for pk, collectivite_id, code in PostalCode.objects.values_list(
        "id", "collectivite_id", "code"
    ):
        present[(collectivite_id, code)] = pk
    stale = [pk for pair, pk in present.items() if pair not in wanted]
    for batch in _batches(stale):
        PostalCode.objects.filter(pk__in=batch).delete()
    missing = [PostalCode(collectivite_id=c, code=p) for c, p in wanted if (c, p) not in present]
    PostalCode.objects.bulk_create(missing, batch_size=BATCH_SIZE)


def import_referential(data_dir: Path | str | None = None) -> ImportReport:
    """Load (or refresh) the whole referential; returns what changed, per kind."""
    started = time.monotonic()
    report = ImportReport()
    rows = read_referential(Path(data_dir) if data_dir else DEFAULT_DATA_DIR)
    with transaction.atomic():
        sync_referential(rows, report)
    active = Collectivite.objects.filter(is_active=True).values("kind").annotate(count=Count("id"))
    for entry in active.order_by():
        report.active[entry["kind"]] = entry["count"]
    report.seconds = time.monotonic() - started
    return report

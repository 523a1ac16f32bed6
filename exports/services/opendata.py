"""The open dataset of a published edition: what its definition declares, nothing else.

One row per collectivité that sent its response (envoyée or validée), identified by its name,
INSEE code and SIREN with its type, population and région from the official referential, and
only the answers to the questions of the edition's `opendata` block — no précisez text, no date,
no contact. Packaged as a ZIP: the CSV, its Frictionless Data Package (`datapackage.json`, with
the Table Schema) and a metadata file ready for data.gouv.fr. The package is built once per
results generation (and definition change) and kept in the storage; the public page and the
API serve that same file.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from exports.results.cache import current_generation
from exports.services.exporters import ResponsesExporter, Sheet
from exports.services.layout import Column
from exports.services.writers import restore, table_schema, write_csv
from surveys.models import Edition, Response

PUBLISHED_STATUSES = [Response.Status.SUBMITTED, Response.Status.VALIDATED]
PUBLIC_IDENTITY = (
    "collectivite",
    "code_insee",
    "siren",
    "type_collectivite",
    "population",
    "tranche_population",
    "region",
)
PRODUCER = "Décider ensemble"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
CSV_NAME = "reponses.csv"
FOLDER = "donnees-ouvertes"


class OpenDataExporter(ResponsesExporter):
    """The responses exporter narrowed to what the edition publishes per collectivité."""

    identifier = "donnees_ouvertes"
    verbose_name = "Données ouvertes"

    def __init__(self, edition: Edition):
        super().__init__(
            edition,
            labels=False,
            filters={"status": PUBLISHED_STATUSES},
            questions=list(edition.opendata_questions),
        )

    def keep_column(self, column: Column) -> bool:
        # The referential's identity and the declared answers; précisez texts stay private.
        if column.role == "identity":
            return column.name in PUBLIC_IDENTITY
        return column.role != "other"

    def sheets(self) -> list[Sheet]:
        return [Sheet("reponses", "Données ouvertes", super().sheets()[0].columns)]


def is_public(edition: Edition) -> bool:
    """Published, with answers declared for publication."""
    return edition.status == Edition.Status.PUBLISHED and bool(edition.opendata_questions)


def slug(edition: Edition) -> str:
    return f"barometre-democratie-locale-numerique-{edition.year}"


def description(edition: Edition) -> str:
    return (
        f"Réponses des collectivités territoriales à l'édition {edition.year} du Baromètre de la "
        "démocratie locale numérique, enquête annuelle de Décider ensemble sur la participation "
        "citoyenne et les outils numériques des collectivités. Une ligne par collectivité ayant "
        "envoyé sa réponse ; seules les questions que l'édition déclare publiables y figurent. "
        "Une colonne de nombres ne contient que des nombres : quand elle est vide, sa colonne "
        "<code>__statut dit pourquoi (nsp = « Ne sait pas », sans_objet = question non posée)."
    )


def data_package(edition: Edition, schema: dict, modified: str) -> dict:
    """The Frictionless Data Package (datapackage.json) describing the CSV."""
    return {
        "name": slug(edition),
        "title": edition.title,
        "description": description(edition),
        "licenses": [LICENCE],
        "contributors": [{"title": PRODUCER, "role": "publisher"}],
        "created": modified,
        "keywords": ["démocratie locale", "participation citoyenne", "collectivités", "numérique"],
        "resources": [
            {
                "name": "reponses",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        ],
    }


def data_gouv_metadata(edition: Edition, modified: str) -> dict:
    """The fields of a data.gouv.fr dataset (API `POST /api/1/datasets/`), ready to send."""
    return {
        "title": edition.title,
        "description": description(edition),
        "organization": PRODUCER,
        "license": "lov2",
        "license_title": LICENCE["title"],
        "frequency": "annual",
        "temporal_coverage": {"start": f"{edition.year}-01-01", "end": f"{edition.year}-12-31"},
        # Communes, intercommunalités, départements and régions side by side: no single level.
        "spatial": {"zones": ["country:fr"], "granularity": "other"},
        "tags": ["democratie-locale", "participation-citoyenne", "collectivites", "numerique"],
        "last_modified": modified,
        "resources": [
            {
                "title": f"Réponses des collectivités — {edition.year}",
                "filename": CSV_NAME,
                "format": "csv",
                "mime": "text/csv",
                "schema": {"url": "datapackage.json"},
            },
            {"title": "Data Package (schéma Table Schema)", "filename": "datapackage.json"},
        ],
    }


def package_name(edition: Edition) -> str:
    """The stored ZIP for the current results generation and definition of `edition`."""
    version = json.dumps(
        [current_generation(edition.pk), edition.updated_at.isoformat(), edition.opendata_questions]
    )
    digest = hashlib.sha256(version.encode()).hexdigest()[:16]
    return f"{FOLDER}/{edition.year}/{slug(edition)}-{digest}.zip"


def build_package(edition: Edition, path: Path) -> None:
    """Write the ZIP of the open dataset at `path`: the CSV, datapackage.json and
    metadonnees-data-gouv.json (through files on disk: memory stays flat)."""
    exporter = OpenDataExporter(edition)
    sheet = exporter.sheets()[0]
    csv_path = path.with_suffix(".csv")
    with open(csv_path, "w", encoding="utf-8", newline="") as stream:
        write_csv(exporter, sheet, stream)
    schema = table_schema(sheet, title=edition.title, description=description(edition))
    schema.pop("$schema", None)
    modified = timezone.now().isoformat(timespec="seconds")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, CSV_NAME)
        archive.writestr(
            "datapackage.json",
            json.dumps(data_package(edition, schema, modified), ensure_ascii=False, indent=2),
        )
        archive.writestr(
            "metadonnees-data-gouv.json",
            json.dumps(data_gouv_metadata(edition, modified), ensure_ascii=False, indent=2),
        )


def stored_package(edition: Edition) -> str:
    """The storage name of the edition's package, built and stored when missing (older
    generations are removed)."""
    name = package_name(edition)
    if default_storage.exists(name):
        return name
    with tempfile.TemporaryDirectory(prefix="donnees-ouvertes-") as directory:
        path = Path(directory) / Path(name).name
        build_package(edition, path)
        with open(path, "rb") as stream:
            saved = default_storage.save(name, File(stream, name=path.name))
    folder = str(Path(name).parent)
    _directories, files = default_storage.listdir(folder)
    for other in files:
        if other not in (Path(name).name, Path(saved).name):
            default_storage.delete(f"{folder}/{other}")
    return saved


def read_package(name: str) -> tuple[dict, list[dict]]:
    """The data package and the rows (typed by its schema) of a stored package."""
    with default_storage.open(name, "rb") as stream, zipfile.ZipFile(stream) as archive:
        package = json.loads(archive.read("datapackage.json"))
        text = archive.read(CSV_NAME).decode("utf-8")
    fields = {f["name"]: f["type"] for f in package["resources"][0]["schema"]["fields"]}
    rows = [
        {name: _typed(value, fields.get(name, "string")) for name, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]
    return package, rows


def _typed(value: str, kind: str) -> int | float | str | None:
    if value == "":
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    return restore(value)

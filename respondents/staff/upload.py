"""Contacts to invite, from an uploaded XLSX or CSV file, validated row by row."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from openpyxl import load_workbook

from barometre.uploads import UnreadableUpload, check_xlsx, decode_csv
from respondents.models import Collectivite, normalise_email, normalise_name

MAX_ROWS = 5000
# 5,000 rows of contacts take a megabyte or two once unzipped: far more is a zip bomb.
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
COLUMN_ALIASES = {
    "code": "code",
    "code insee": "code",
    "insee": "code",
    "siren": "code",
    "email": "email",
    "e mail": "email",
    "courriel": "email",
    "adresse electronique": "email",
    "type": "type",
    "prenom": "first_name",
    "nom": "last_name",
    "fonction": "role",
}
KINDS = {
    "commune": Collectivite.Kind.COMMUNE,
    "epci": Collectivite.Kind.EPCI,
    "intercommunalite": Collectivite.Kind.EPCI,
    "metropole": Collectivite.Kind.EPCI,
    "departement": Collectivite.Kind.DEPARTEMENT,
    "region": Collectivite.Kind.REGION,
}


class UploadError(Exception):
    """The file as a whole cannot be read (format, missing column, size)."""


@dataclass
class ContactRow:
    line: int
    collectivite: Collectivite
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = ""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _limited(rows) -> list[list[str]]:
    """The rows read so far, refused as soon as there are more than MAX_ROWS non-empty ones."""
    table, filled = [], 0
    for row in rows:
        cells = [_cell(v) for v in row]
        if any(cells):
            filled += 1
            if filled > MAX_ROWS + 1:  # the header row, then MAX_ROWS contacts
                raise UploadError(
                    f"Le fichier compte plus de {MAX_ROWS} lignes : {MAX_ROWS} au plus."
                )
        table.append(cells)
    return table


def read_table(uploaded) -> list[list[str]]:
    name = (uploaded.name or "").lower()
    if name.endswith(".xlsx"):
        try:
            check_xlsx(uploaded, MAX_UNCOMPRESSED_BYTES)
            workbook = load_workbook(uploaded, read_only=True, data_only=True)
        except UnreadableUpload as exc:
            raise UploadError(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise UploadError("Le fichier XLSX est illisible ou endommagé.") from exc
        try:
            return _limited(workbook.worksheets[0].iter_rows(values_only=True))
        except UploadError:
            raise
        except Exception as exc:  # noqa: BLE001 - a sheet may be damaged past its header
            raise UploadError("Le fichier XLSX est illisible ou endommagé.") from exc
        finally:
            workbook.close()
    if name.endswith(".csv"):
        try:
            text = decode_csv(uploaded.read())
        except UnreadableUpload as exc:
            raise UploadError(str(exc)) from exc
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        except csv.Error:
            dialect = csv.excel
        try:
            return _limited(csv.reader(io.StringIO(text), dialect))
        except csv.Error as exc:
            raise UploadError(f"Le fichier CSV est mal formé : {exc}.") from exc
    raise UploadError("Format non pris en charge : déposez un fichier .xlsx ou .csv.")


def _columns(header: list[str]) -> dict[str, int]:
    columns = {}
    for index, title in enumerate(header):
        key = COLUMN_ALIASES.get(normalise_name(title))
        if key and key not in columns:
            columns[key] = index
    missing = [label for key, label in (("code", "code"), ("email", "email")) if key not in columns]
    if missing:
        raise UploadError(
            "La première ligne doit nommer les colonnes ; colonne(s) manquante(s) : "
            + ", ".join(f"« {label} »" for label in missing)
            + ". Colonnes possibles : code (INSEE ou SIREN), email, type, prenom, nom, fonction."
        )
    return columns


def parse_contacts(uploaded) -> tuple[list[ContactRow], list[str]]:
    """The valid rows and the errors (each naming its line); nothing is saved here."""
    table = read_table(uploaded)
    if not table:
        raise UploadError("Le fichier est vide.")
    columns = _columns(table[0])
    lines = [(number, row) for number, row in enumerate(table[1:], start=2) if any(c for c in row)]
    if len(lines) > MAX_ROWS:
        raise UploadError(f"Le fichier compte {len(lines)} lignes : {MAX_ROWS} au plus.")

    def value(row, key):
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    codes = {value(row, "code").upper() for _, row in lines}
    found = Collectivite.objects.filter(Q(code__in=codes) | Q(siren__in=codes), is_active=True)
    by_kind_code = {(c.kind, c.code): c for c in found}
    by_siren = {c.siren: c for c in found if c.siren}

    rows, errors = [], []
    for number, row in lines:
        code = value(row, "code").upper()
        email = normalise_email(value(row, "email"))
        kind_label = normalise_name(value(row, "type"))
        line_errors = []
        if kind_label and kind_label not in KINDS:
            line_errors.append(
                f"type « {value(row, 'type')} » inconnu (commune, epci, departement ou region)"
            )
        collectivite = None
        if not code:
            line_errors.append("le code INSEE ou SIREN est vide")
        elif kind_label in KINDS:
            kind = KINDS[kind_label]
            collectivite = by_kind_code.get((kind, code))
            if collectivite is None and code in by_siren and by_siren[code].kind == kind:
                collectivite = by_siren[code]
        elif len(code) == 9 and code.isdigit():
            collectivite = by_siren.get(code)
        elif len(code) == 5:
            collectivite = by_kind_code.get((Collectivite.Kind.COMMUNE, code))
        elif len(code) in (2, 3):
            collectivite = by_kind_code.get((Collectivite.Kind.DEPARTEMENT, code))
        if code and collectivite is None and not line_errors:
            line_errors.append(
                f"aucune collectivité active avec le code « {code} » "
                "(INSEE à 5 caractères pour une commune, SIREN à 9 chiffres, "
                "ou code à 2-3 caractères pour un département ; une région demande "
                "la colonne type)"
            )
        if not email:
            line_errors.append("l'adresse électronique est vide")
        else:
            try:
                validate_email(email)
            except ValidationError:
                line_errors.append(f"adresse électronique « {email} » invalide")
        if line_errors:
            errors.append(f"Ligne {number} : " + " ; ".join(line_errors) + ".")
            continue
        # Without a line error, a collectivité was found (an empty or unknown code is one).
        assert collectivite is not None
        rows.append(
            ContactRow(
                line=number,
                collectivite=collectivite,
                email=email,
                first_name=value(row, "first_name")[:100],
                last_name=value(row, "last_name")[:100],
                role=value(row, "role")[:200],
            )
        )
    return rows, errors

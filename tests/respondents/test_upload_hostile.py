"""Hostile uploads answer a French 400, quickly: binary CSV, fake XLSX, zip bombs, floods."""

import io
import os
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from respondents.staff.upload import MAX_ROWS, UploadError, read_table

INVITATIONS_UPLOAD = "/equipe/invitations/2021/import/"
RESPONSES_IMPORT = "/exports/import/"


def xlsx_bytes(rows: int) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["code", "email"])
    for number in range(rows):
        sheet.append(["35238", f"agent{number}@rennes.test"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def bomb_bytes(megabytes: int) -> bytes:
    """A valid-looking .xlsx whose sheet unzips to `megabytes` MB (a few tens of KB zipped)."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1024 * 1024))
    return stream.getvalue()


def upload(client, alice, path, name, content, **data):
    client.force_login(alice)
    return client.post(path, {"file": SimpleUploadedFile(name, content), **data})


def test_a_binary_csv_is_refused_in_french(client, alice, edition_2021):
    response = upload(client, alice, INVITATIONS_UPLOAD, "contacts.csv", os.urandom(4096))
    assert response.status_code == 400
    assert "il contient des octets binaires" in response.text


def test_random_bytes_named_xlsx_are_refused_on_both_uploads(client, alice, edition_2021):
    junk = os.urandom(4096)
    response = upload(client, alice, INVITATIONS_UPLOAD, "contacts.xlsx", junk)
    assert response.status_code == 400
    assert "illisible ou endommagé" in response.text
    response = upload(
        client, alice, RESPONSES_IMPORT, "reponses.xlsx", junk, edition=edition_2021.pk
    )
    assert response.status_code == 400
    assert "illisible ou endommagé" in response.text


def test_a_zip_bomb_is_refused_before_it_is_read(client, alice, edition_2021):
    bomb = bomb_bytes(200)
    assert len(bomb) < 400_000
    started = time.monotonic()
    response = upload(client, alice, INVITATIONS_UPLOAD, "contacts.xlsx", bomb)
    assert response.status_code == 400
    assert "Le classeur décompressé ferait 209 Mo : 20 Mo au plus" in response.text
    assert time.monotonic() - started < 2


def test_the_row_limit_stops_the_reading_of_a_long_sheet():
    with pytest.raises(UploadError, match=f"plus de {MAX_ROWS} lignes"):
        read_table(SimpleUploadedFile("contacts.xlsx", xlsx_bytes(MAX_ROWS + 1)))
    text = "code,email\n" + "35238,a@rennes.test\n" * (MAX_ROWS + 1)
    with pytest.raises(UploadError, match=f"plus de {MAX_ROWS} lignes"):
        read_table(SimpleUploadedFile("contacts.csv", text.encode()))
    assert (
        len(read_table(SimpleUploadedFile("contacts.xlsx", xlsx_bytes(MAX_ROWS)))) == MAX_ROWS + 1
    )


def test_a_lone_carriage_return_in_a_csv_is_a_line_end():
    table = read_table(SimpleUploadedFile("c.csv", b"code,email\r35238,a@rennes.test\r"))
    assert table == [["code", "email"], ["35238", "a@rennes.test"]]

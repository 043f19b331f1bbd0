"""Uploads are untrusted: decompression bombs, malformed workbooks and giant cells get the
form's error next to the file field, quickly, in bounded memory, and never echoed back.

The files are made here (tests/workbooks.py); the bombs are scaled down (30 MB unpacked,
past the 24 MB bound) so the suite stays fast; the 400 MB ones are measured by hand (see
the commit that added this file).
"""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.spreadsheets import Limits, UnreadableSheet, check_zip, read_sheet
from applications.models import Program
from tests import workbooks

IMPORT = reverse("applications:import")
FIELD_ERROR = '<ul class="errorlist" id="id_file_error"><li>'


def field_error(response) -> str:
    """The error shown next to the file field (the page must have one)."""
    page = response.content.decode()
    assert FIELD_ERROR in page, "no error next to the file field"
    return page.split(FIELD_ERROR, 1)[1].split("</li>", 1)[0]


def send(client, data: bytes, name: str = "sheet.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def test_the_hand_made_workbook_is_read(member_client):
    """The control: the files below differ from this one only in what they break."""
    response = send(member_client, workbooks.workbook())
    assert response.status_code == 200
    assert "Hand Made Hospital" in response.content.decode()
    assert "1 row ready" in response.content.decode()


@pytest.mark.parametrize("case", sorted(workbooks.MALFORMED))
def test_a_malformed_workbook_is_not_readable_and_no_500(member_client, case):
    response = send(member_client, workbooks.MALFORMED[case]())
    assert response.status_code == 200
    assert field_error(response) == "The file is not a readable .xlsx workbook."
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    "bomb", [workbooks.one_cell_bomb, workbooks.shared_strings_bomb], ids=["cell", "strings"]
)
def test_a_decompression_bomb_is_refused_before_parsing(member_client, bomb):
    data = bomb(30)
    assert len(data) < 100_000  # small as sent
    response = send(member_client, data)
    assert response.status_code == 200
    assert field_error(response).startswith("The workbook unpacks to more than 24 MB")
    assert len(response.content) < 50_000  # nothing of the file echoed back
    assert not Program.objects.exists()


def lying_zip(megabytes: int) -> bytes:
    """A one-member zip whose headers declare 100 bytes for a member of `megabytes` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "A" * (megabytes * 1024 * 1024))
    data = bytearray(out.getvalue())
    real = struct.pack("<I", megabytes * 1024 * 1024)
    assert data.count(real) == 2  # local header and central directory
    return bytes(data.replace(real, struct.pack("<I", 100)))


def test_sizes_the_zip_declares_are_not_trusted(member_client):
    with pytest.raises(UnreadableSheet):
        check_zip(lying_zip(30))
    # Through the page: the old reader let zipfile's "Bad CRC-32" escape while iterating (500).
    response = send(member_client, lying_zip(30))
    assert field_error(response) == "The file is not a readable .xlsx workbook."


def test_a_member_packed_too_tightly_is_refused_below_the_total_bound():
    data = workbooks.one_cell_bomb(5)  # 5 MB unpacked, packed about 1000:1
    with pytest.raises(UnreadableSheet, match="unpacks to more than"):
        check_zip(data)
    check_zip(data, Limits(max_ratio=2000))  # with a looser ratio it passes: the ratio refused it


GIANT = "G" * 20_000


@pytest.mark.parametrize(
    "name,data",
    [
        (
            "giant.xlsx",
            workbooks.workbook(
                sheet=workbooks.SHEET.replace(
                    '<c r="A2" t="s"><v>2</v></c>',
                    f'<c r="A2" t="inlineStr"><is><t>{GIANT}</t></is></c>',
                )
            ),
        ),
        ("giant.csv", f"program_name,specialty\n{GIANT},Pediatrics\n".encode()),
    ],
)
def test_a_giant_cell_is_refused_and_not_echoed(member_client, name, data):
    response = send(member_client, data, name)
    assert field_error(response) == ("Row 2 has a cell of 20,000 characters; the limit is 10,000.")
    assert "G" * 100 not in response.content.decode()


def test_too_many_characters_in_all_are_refused():
    rows = "".join(f"Program {n},{'x' * 900}\n" for n in range(50))
    with pytest.raises(UnreadableSheet, match="more than 10,000 characters"):
        read_sheet(f"program_name,specialty\n{rows}".encode(), "x.csv", Limits(max_chars=10_000))


def test_the_preview_and_its_errors_never_show_a_cell_whole(member_client):
    long_name = "N" * 5_000  # within the cell bound, too long for a program name
    sheet = f"program_name,specialty,visas\n{long_name},Pediatrics,{'V' * 5_000}\n"
    response = send(member_client, sheet.encode(), "long.csv")
    page = response.content.decode()
    assert "1 row needs fixing" in page
    assert "N" * 100 not in page and "V" * 100 not in page
    assert "N" * 79 + "…" in page  # the preview shows the start of the name
    assert not Program.objects.exists()


def test_the_admin_import_reads_through_the_same_bounds(curator_client):
    """The curators' CSV import (django-import-export) reads with the same module."""
    header = "title,slug,organisation,category,summary,url,last_reviewed\n"
    body = f"{GIANT},x,Org,exams,Summary,https://example.org/,2026-01-01\n"
    upload = SimpleUploadedFile("resources.csv", (header + body).encode(), "text/csv")
    response = curator_client.post(
        "/admin/resources/resource/import/",
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Row 2 has a cell of 20,000 characters; the limit is 10,000." in page
    assert "G" * 100 not in page

"""A NUL byte in what the public types or scans is one more wrong input (docs/spec.md §6): the same 404 or
empty answer, never a server error (PostgreSQL refuses NUL in text; SQLite does not)."""

import pytest

from certificates import qr
from certificates.models import VerificationLog

NUL = "%00"


@pytest.fixture
def number(issued) -> str:
    return issued.number


def with_nul(number: str) -> str:
    """The number with a NUL inside (past its 22nd character the page ignores anything anyway)."""
    return number[:10] + NUL + number[10:]


def test_a_nul_in_the_number_page_is_the_usual_404(client, number):
    wrong = client.get("/verify/Y000133000101264999999/")

    response = client.get(f"/verify/{with_nul(number)}/")

    assert response.status_code == wrong.status_code == 404
    assert VerificationLog.objects.filter(found=False).count() == 2


def test_a_nul_alone_as_the_number_is_the_usual_404(client, issued):
    assert client.get(f"/verify/{NUL}/").status_code == 404


def test_a_nul_in_the_json_number_is_the_usual_404(client, number):
    response = client.get(f"/verify/{with_nul(number)}.json")

    assert response.status_code == 404
    assert response.json() == {"found": False}


def test_a_nul_in_the_qr_number_or_token_is_the_usual_404(client, number):
    token = qr.token_for(number)

    assert client.get(f"/verify/{with_nul(number)}/qr/{token}/").status_code == 404
    assert client.get(f"/verify/{number}/qr/{token[:-1]}{NUL}/").status_code == 404


def test_a_nul_in_the_qr_photo_address_is_the_usual_404(client, number):
    token = qr.token_for(number)

    assert client.get(f"/verify/{with_nul(number)}/qr/{token}/photo/").status_code == 404
    assert client.get(f"/verify/{number}/qr/{token[:-1]}{NUL}/photo/").status_code == 404


def test_a_nul_in_the_query_pages_number_is_refused_like_any_bad_number(client, number):
    response = client.get("/verify/", {"number": number + "\x00"})

    assert response.status_code == 200  # the form says what is wrong; no redirect, no lookup
    assert VerificationLog.objects.count() == 0


def test_a_nul_in_the_name_and_id_query_finds_nothing(client, issued):
    trainee = issued.enrolment.trainee

    for name, id_number in [(trainee.name + "\x00", trainee.id_number), (trainee.name, trainee.id_number + "\x00")]:
        response = client.post("/verify/", {"name": name, "id_number": id_number})
        assert response.status_code in (200, 400)
        assert issued.number not in response.content.decode()

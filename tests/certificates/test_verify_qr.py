"""The QR code's page (docs/spec.md §6): a signed token shows the public facts and the holder's photo."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from certificates import qr
from certificates.models import VerificationChannel, VerificationLog

from .test_verify_page import PER_REQUEST


def qr_page(client, number, token):
    return client.get(reverse("certificates:verify_qr", args=[number, token]))


def test_the_scanned_url_shows_the_certificate_and_the_photo(client, issued):
    token = qr.token_for(issued.number)

    response = qr_page(client, issued.number, token)

    assert response.status_code == 200
    assert reverse("certificates:verify_qr_photo", args=[issued.number, token]) in response.content.decode()
    assert VerificationLog.objects.get().channel == VerificationChannel.QR


def test_the_url_printed_in_the_qr_code_is_this_page(issued):
    assert issued.verify_url == qr.scan_url(issued.number)
    assert issued.verify_url.endswith(
        reverse("certificates:verify_qr", args=[issued.number, qr.token_for(issued.number)])
    )


def test_the_photo_comes_with_the_right_token(client, issued):
    response = client.get(reverse("certificates:verify_qr_photo", args=[issued.number, qr.token_for(issued.number)]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_token_is_the_same_as_a_wrong_number(client, issued):
    wrong_token = qr_page(client, issued.number, "A" * qr.TOKEN_LENGTH)
    photo = client.get(reverse("certificates:verify_qr_photo", args=[issued.number, "A" * qr.TOKEN_LENGTH]))

    wrong_number = client.get(reverse("certificates:verify", args=["Y000133000101264999999"]))
    assert wrong_token.status_code == 404
    assert PER_REQUEST.sub(b"", wrong_token.content) == PER_REQUEST.sub(b"", wrong_number.content)
    assert photo.status_code == 404


def test_a_token_is_bound_to_its_number(client, issued):
    other_number = issued.number[:-1] + "2"

    assert not qr.token_matches(other_number, qr.token_for(issued.number))
    assert qr_page(client, issued.number, qr.token_for(other_number)).status_code == 404


def test_no_verify_url_is_made_without_a_public_base_url(settings):
    # A certificate is frozen once issued: better no certificate than one whose QR code leads nowhere.
    settings.PUBLIC_BASE_URL = ""

    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL"):
        qr.scan_url("Y000133000101264000001")

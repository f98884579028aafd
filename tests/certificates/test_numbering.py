"""Certificate numbers (docs/spec.md §6): 22 characters, issuer · year · level · serial, gap-free per issuer and year."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from certificates import numbering
from certificates.models import CertificateSerial


def test_the_spec_example_number_is_formatted_exactly():
    number = numbering.format_number(issuer_code="Y000133000101", year=2026, level=4, serial=1)

    assert number == "Y000133000101264000001"
    assert len(number) == numbering.NUMBER_LENGTH


def test_a_number_parses_back_into_its_parts():
    parts = numbering.parse_number("y000133000101264000001 ")

    assert (parts.issuer_code, parts.year, parts.level, parts.serial) == ("Y000133000101", 2026, 4, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Y00013300010126400000",
        "Y0001330001012640000012",
        "X000133000101264000001",
        "Y000133000101266000001",
        "Y00013300010126400000A",
        "Y000133000101264000001; DROP",
    ],
)
def test_anything_but_a_well_formed_number_does_not_parse(text):
    assert numbering.parse_number(text) is None


def test_the_issuer_comes_from_settings(settings):
    settings.CERT_ISSUER = {
        "type": "S",
        "filing_code": "0000",
        "province": "33",
        "registration_serial": "000777",
        "name": "某评价机构",
    }

    issuer = numbering.configured_issuer()

    assert issuer.code == "S000033000777"
    assert issuer.name == "某评价机构"


@pytest.mark.parametrize(
    "override", [{"type": "X"}, {"filing_code": "12"}, {"province": "3"}, {"registration_serial": "12345A"}]
)
def test_a_malformed_issuer_is_refused(settings, override):
    settings.CERT_ISSUER = {**settings.CERT_ISSUER, **override}

    with pytest.raises(ImproperlyConfigured):
        numbering.configured_issuer()


def test_serials_count_up_from_one_per_issuer_and_year(db):
    with transaction.atomic():
        counter = numbering.lock_counter(issuer_code="Y000133000101", year=2026)
        first, second = numbering.next_serial(counter), numbering.next_serial(counter)
    with transaction.atomic():
        other_year = numbering.lock_counter(issuer_code="Y000133000101", year=2027)
        assert numbering.next_serial(other_year) == 1

    assert (first, second) == (1, 2)


def test_a_rolled_back_issue_gives_its_serial_back(db):
    with transaction.atomic():
        counter = numbering.lock_counter(issuer_code="Y000133000101", year=2026)
        numbering.next_serial(counter)
    with pytest.raises(RuntimeError), transaction.atomic():
        counter = numbering.lock_counter(issuer_code="Y000133000101", year=2026)
        numbering.next_serial(counter)
        raise RuntimeError("the issue failed after numbering")
    with transaction.atomic():
        counter = numbering.lock_counter(issuer_code="Y000133000101", year=2026)
        assert numbering.next_serial(counter) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_counter_is_only_locked_inside_a_transaction():
    with pytest.raises(RuntimeError):
        numbering.lock_counter(issuer_code="Y000133000101", year=2026)
    assert not CertificateSerial.objects.exists()

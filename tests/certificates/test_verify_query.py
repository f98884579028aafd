"""/verify/ (docs/spec.md §6): a number goes to its page; a full name with an ID number lists that person's
certificates, both must match; the query is rate-limited and logged without the ID number."""

from django.urls import reverse

from certificates.models import VerificationChannel, VerificationLog

URL = "certificates:verify_query"


def test_the_query_page_works_for_anyone(client, db):
    response = client.get(reverse(URL))

    assert response.status_code == 200
    assert b'name="number"' in response.content and b'name="id_number"' in response.content


def test_a_number_goes_to_its_page(client, issued):
    response = client.get(reverse(URL), {"number": f" {issued.number.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify", args=[issued.number])


def test_name_and_id_number_list_that_persons_certificates(client, issued):
    response = client.post(reverse(URL), {"name": "张晓明", "id_number": issued.enrolment.trainee.id_number.lower()})

    assert response.status_code == 200
    assert issued.number in response.content.decode()


def test_a_name_that_does_not_match_the_id_number_finds_nothing(client, issued):
    response = client.post(reverse(URL), {"name": "张晓", "id_number": issued.enrolment.trainee.id_number})

    assert response.status_code == 200
    assert issued.number not in response.content.decode()


def test_the_log_keeps_no_name_or_id_number(client, issued):
    client.post(reverse(URL), {"name": "张晓明", "id_number": issued.enrolment.trainee.id_number})

    log = VerificationLog.objects.get()
    assert (log.channel, log.query, log.found) == (VerificationChannel.QUERY, "1", True)


def test_queries_are_rate_limited(client, issued, settings):
    settings.CERT_VERIFY_QUERY_RATE_LIMIT = 2
    data = {"name": "张晓明", "id_number": issued.enrolment.trainee.id_number}

    statuses = [client.post(reverse(URL), data).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_an_incomplete_query_is_refused(client, db):
    assert client.post(reverse(URL), {"name": "张晓明"}).status_code == 400

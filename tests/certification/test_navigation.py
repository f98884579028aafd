"""The menu marks the one entry the page belongs to."""

import pytest
from django.test import RequestFactory

from core.context_processors import navigation


def active_entries(user, path: str) -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [str(item["label"]) for item in navigation(request)["navigation"] if item["active"]]


@pytest.mark.django_db
def test_an_issuance_run_page_belongs_to_issue_certificates(officer):
    assert active_entries(officer, "/certificates/runs/7/") == ["Issue certificates"]


@pytest.mark.django_db
def test_the_certificate_list_and_a_certificate_belong_to_certificates(officer):
    assert active_entries(officer, "/certificates/") == ["Certificates"]
    assert active_entries(officer, "/certificates/12/") == ["Certificates"]


@pytest.mark.django_db
def test_the_issuance_page_marks_only_issue_certificates(officer):
    assert active_entries(officer, "/certificates/issue/") == ["Issue certificates"]


@pytest.mark.django_db
def test_a_page_outside_every_entry_marks_none(officer):
    assert active_entries(officer, "/verify/") == []


@pytest.mark.django_db
def test_anonymous_visitors_get_no_menu():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert navigation(request) == {"navigation": []}

"""The verify pages are rendered once per process and language, then filled in per request
(certificates.public_pages): what a visitor gets must be exactly what the templates render."""

import html
import re

import pytest
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from certificates import public_pages, selectors, services, verification
from certificates.forms import NumberForm
from certificates.models import Certificate

from .test_verify_page import PER_REQUEST, page


def rendered_by_the_template(path, template, context, status):
    request = RequestFactory().get(path)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return PER_REQUEST.sub(b"", render(request, template, context, status=status).content)


def facts_of(number):
    return verification.public_facts(selectors.public_certificate(number))


@pytest.fixture(autouse=True)
def fresh_skeletons():
    public_pages._skeletons.clear()
    yield
    public_pages._skeletons.clear()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("shape", ["valid", "revoked", "superseded", "its correction"])
def test_the_certificate_page_is_what_the_template_renders(client, issued, officer, language, shape):
    number = issued.number
    if shape == "revoked":
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")
    elif shape in ("superseded", "its correction"):
        new = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name")
        number = new.number if shape == "its correction" else number
    client.cookies["django_language"] = language

    for _twice in range(2):  # the first request makes the skeleton, the second only fills it in
        response = page(client, number)
        with translation.override(language):
            expected = rendered_by_the_template(
                reverse("certificates:verify", args=[number]),
                public_pages.CERTIFICATE,
                {"facts": facts_of(number)},
                200,
            )
        assert response.status_code == 200
        assert PER_REQUEST.sub(b"", response.content) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_not_found_page_is_what_the_template_renders(client, db, language):
    client.cookies["django_language"] = language

    for _twice in range(2):
        response = page(client, "Y000133000101264999999")
        with translation.override(language):
            expected = rendered_by_the_template(
                "/verify/x/", public_pages.NOT_FOUND, {"number_form": NumberForm()}, 404
            )
        assert response.status_code == 404
        assert PER_REQUEST.sub(b"", response.content) == expected


def test_facts_are_escaped_and_each_request_gets_its_own(client, issued):
    page(client, issued.number)  # the skeleton, made with another certificate's facts
    Certificate.objects.filter(pk=issued.pk).update(issuer_name='<script>alert("x")</script> & Co')

    body = page(client, issued.number).content.decode()

    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in body


def test_the_language_switch_posts_with_this_requests_token_and_comes_back_here(db, issued):
    client = Client(enforce_csrf_checks=True)
    page(client, issued.number)  # the skeleton, with another request's token
    path = reverse("certificates:verify", args=[issued.number]) + "?a=<b>"

    body = client.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    back = re.search(r'name="next" type="hidden" value="([^"]+)"', body).group(1)
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": html.unescape(back), "csrfmiddlewaretoken": token}
    )

    assert switched.status_code == 302
    assert switched["Location"] == html.unescape(back) == client.get(path).wsgi_request.get_full_path()

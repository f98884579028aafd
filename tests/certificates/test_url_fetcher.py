"""What the renderer may fetch (docs/spec.md §6): our static files and the render's own media, nothing else."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from certificates.rendering import RENDER_ORIGIN, CertificateURLFetcher, RefusedURL, media_url, static_url

REFUSED = [
    "file:///etc/passwd",
    "file:///work/main/static/certificates/pdf/v1/certificate.css",
    "http://127.0.0.1:8000/static/certificates/pdf/v1/certificate.css",
    "https://127.0.0.1/static/certificates/pdf/v1/certificate.css",
    "https://example.com/static/certificates/pdf/v1/certificate.css",
    "https://certificate-render.invalid.example.com/static/certificates/pdf/v1/certificate.css",
    "https://user@certificate-render.invalid/static/certificates/pdf/v1/certificate.css",
    "http://certificate-render.invalid/static/certificates/pdf/v1/certificate.css",
    "ftp://certificate-render.invalid/static/certificates/pdf/v1/certificate.css",
    "data:text/plain,hello",
    f"{RENDER_ORIGIN}/static/../../../../etc/passwd",
    f"{RENDER_ORIGIN}/static/%2e%2e/%2e%2e/certification/settings.py",
    f"{RENDER_ORIGIN}/static/..%2f..%2fmanage.py",
    f"{RENDER_ORIGIN}/static//etc/passwd",
    f"{RENDER_ORIGIN}/static/certificates/pdf/v1/missing.svg",
    f"{RENDER_ORIGIN}/static/certificates/pdf/v1/certificate.css?x=1",
    f"{RENDER_ORIGIN}/etc/passwd",
    f"{RENDER_ORIGIN}/fonts/cert-serif-400.otf",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_anything_but_our_files(url):
    with pytest.raises(RefusedURL):
        CertificateURLFetcher().fetch(url)


def test_it_serves_our_static_files():
    response = CertificateURLFetcher().fetch(static_url("certificates/pdf/v1/certificate.css"))

    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_it_serves_the_media_file_the_render_names_and_no_other(db):
    mine = default_storage.save("photos/test/mine.png", ContentFile(b"\x89PNG mine"))
    other = default_storage.save("photos/test/other.png", ContentFile(b"\x89PNG other"))
    fetcher = CertificateURLFetcher(media_names=[mine])

    assert fetcher.fetch(media_url(mine)).read() == b"\x89PNG mine"
    with pytest.raises(RefusedURL):
        fetcher.fetch(media_url(other))


def test_it_serves_the_fonts_it_was_given_from_memory():
    fetcher = CertificateURLFetcher(fonts={"cert-serif-400.otf": b"OTTO font"})

    assert fetcher.fetch(f"{RENDER_ORIGIN}/fonts/cert-serif-400.otf").read() == b"OTTO font"


def test_it_remembers_what_it_refused():
    fetcher = CertificateURLFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch("file:///etc/passwd")

    assert fetcher.refused == ["file:///etc/passwd"]

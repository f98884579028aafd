"""Certificate PDFs with WeasyPrint: what may be fetched while rendering, and the per-process renderer.

What may be fetched: only the project's own static files and the media files a render names (the
holder's photo), through CertificateURLFetcher. The HTML is rendered against a base URL on a
reserved host (`certificate-render.invalid`), and the fetcher maps that host's /static/ and media
paths to files, and a PNG image written inline as a `data:image/png;base64,` URI (the QR code,
certificates.qr.image); every other URL — `file://`, any network address, any other `data:`, another host, a static
path that climbs out of the static directories, a media file the render did not name — is refused,
and a refused fetch stops the render instead of printing a certificate with a hole in it. That also
covers `<link rel=attachment>`: WeasyPrint embeds what the fetcher returns, and it returns nothing
it was not meant to.

User text reaches the PDF only through Django templates with autoescaping and never through CSS:
the stylesheet is a static file, and the only per-certificate class name is a track code reduced to
letters and digits.

Each process keeps one FontConfiguration and the compiled stylesheets per template version (the first
render costs a second or two for font loading; the later ones a tenth of that). The fonts are the
system Noto Serif CJK cut to GB2312 (certificates.fonts), served from memory under /fonts/.
"""

import base64
import mimetypes
import re
import threading
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import select_template
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import fonts, qr, signing

CURRENT_TEMPLATE_VERSION = "v1"
RENDER_HOST = "certificate-render.invalid"  # .invalid never resolves (RFC 2606)
RENDER_ORIGIN = f"https://{RENDER_HOST}"
STYLESHEET = "certificate.css"
FONTS_PREFIX = "/fonts/"  # the cut fonts, served from the renderer's memory (certificates.fonts)

_TRACK_CLASS = re.compile(r"[^A-Za-z0-9]")


# The one inline resource a certificate has: its QR code as a PNG (certificates.qr.image).
INLINE_PNG = "data:image/png;base64,"


class RefusedURL(ValueError):
    """The renderer asked for something outside our static files and the render's own media."""


def _url_prefix(setting: str) -> str:
    """'/static/' for STATIC_URL = 'static/'; only site-relative settings are supported."""
    value = getattr(settings, setting)
    return "/" + value.strip("/") + "/"


def static_url(name: str) -> str:
    return f"{RENDER_ORIGIN}{_url_prefix('STATIC_URL')}{name}"


def media_url(name: str) -> str:
    return f"{RENDER_ORIGIN}{_url_prefix('MEDIA_URL')}{name}"


class CertificateURLFetcher(URLFetcher):
    """Serves our static files and the media files named at construction; refuses everything else."""

    def __init__(self, *, media_names=(), fonts: dict[str, bytes] | None = None):
        # fail_on_errors: a refused or missing resource stops the render.
        super().__init__(fail_on_errors=True, allowed_protocols=("https",), allow_redirects=False)
        self.media_names = frozenset(media_names)
        self.fonts = fonts or {}
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith(INLINE_PNG):
            try:
                body = base64.b64decode(url[len(INLINE_PNG) :], validate=True)
            except ValueError:
                body = b""
            if body.startswith(b"\x89PNG\r\n\x1a\n"):
                return URLFetcherResponse(url[:64], body=body, headers={"Content-Type": "image/png"})
            self.refused.append(url[:200])
            raise RefusedURL(f"refused while rendering a certificate: {url[:200]} (not a PNG image)")
        try:
            kind, name = self._resolve(url)
            body = self.fonts[name] if kind == "font" else _read_static(name) if kind == "static" else _read_media(name)
        except (RefusedURL, OSError, SuspiciousFileOperation) as error:
            self.refused.append(url)
            raise RefusedURL(f"refused while rendering a certificate: {url[:200]} ({error})") from None
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    def _resolve(self, url: str) -> tuple[str, str]:
        """('static' | 'media', relative name) for one of our URLs; RefusedURL for anything else."""
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != RENDER_HOST or parts.query or parts.username:
            raise RefusedURL("not one of our files")
        path = unquote(parts.path)
        if path.startswith(FONTS_PREFIX) and path[len(FONTS_PREFIX) :] in self.fonts:
            return "font", path[len(FONTS_PREFIX) :]
        for kind, prefix in (("static", _url_prefix("STATIC_URL")), ("media", _url_prefix("MEDIA_URL"))):
            if path.startswith(prefix):
                name = path[len(prefix) :]
                _check_relative_name(name)
                if kind == "media" and name not in self.media_names:
                    raise RefusedURL("a media file this certificate does not use")
                return kind, name
        raise RefusedURL("neither a static nor a media file")


def _check_relative_name(name: str) -> None:
    pure = PurePosixPath(name)
    if not name or "\\" in name or "\x00" in name or pure.is_absolute() or ".." in pure.parts:
        raise RefusedURL("a path that leaves its directory")


def _read_static(name: str) -> bytes:
    path = finders.find(name)
    if not path:
        raise RefusedURL("no such static file")
    with open(path, "rb") as file:
        return file.read()


def _read_media(name: str) -> bytes:
    with default_storage.open(name, "rb") as file:
        return file.read()


class Renderer:
    """One template version's fonts and compiled stylesheet, kept for the life of the process."""

    def __init__(self, version: str):
        self.version = version
        self.base_url = static_url(f"certificates/pdf/{version}/")
        self.font_config = FontConfiguration()
        faces = fonts.certificate_faces()
        fetcher = CertificateURLFetcher(fonts={face.name: face.content for face in faces})
        font_faces = "".join(
            f'@font-face {{ font-family: "{fonts.FAMILY}"; src: url({RENDER_ORIGIN}{FONTS_PREFIX}{face.name}); '
            f"font-weight: {face.weight}; }}\n"
            for face in faces
        )
        self.stylesheets = [
            CSS(
                string=font_faces or "/* system fonts */",
                base_url=self.base_url,
                url_fetcher=fetcher,
                font_config=self.font_config,
            ),
            CSS(url=self.base_url + STYLESHEET, url_fetcher=fetcher, font_config=self.font_config),
        ]
        self._lock = threading.Lock()  # web processes may serve requests from several threads

    def write_pdf(self, html: str, *, media_names=(), finisher=None) -> bytes:
        fetcher = CertificateURLFetcher(media_names=media_names)
        with self._lock:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=fetcher)
            return document.write_pdf(stylesheets=self.stylesheets, font_config=self.font_config, finisher=finisher)


_renderers: dict[str, Renderer] = {}
_renderers_lock = threading.Lock()


def renderer(version: str = CURRENT_TEMPLATE_VERSION) -> Renderer:
    with _renderers_lock:
        if version not in _renderers:
            _renderers[version] = Renderer(version)
        return _renderers[version]


def certificate_html(certificate) -> str:
    """The HTML of a certificate from its recorded facts, in its own template version."""
    version = certificate.template_version
    template = select_template(
        [
            f"certificates/pdf/{version}/{_TRACK_CLASS.sub('', certificate.track_code)}.html",
            f"certificates/pdf/{version}/certificate.html",
        ]
    )
    context = {
        "certificate": certificate,
        "track_class": _TRACK_CLASS.sub("", certificate.track_code).lower() or "default",
        "photo_url": media_url(certificate.photo.name) if certificate.photo else "",
        "qr_image": qr.image(qr.content(certificate)),
        "issue_date": _chinese_date(certificate.issue_date),
        "valid_until": _chinese_date(certificate.valid_until) if certificate.valid_until else "",
        "verify_site": qr.verify_site(),
    }
    # The certificate's wording lives in its versioned template, not in translations: a new .po
    # must never change certificates issued from the same version.
    with translation.override("zh-hans"):
        return template.render(context)


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_certificate(certificate) -> bytes:
    """The PDF of a certificate, not yet signed: its signature field is reserved, empty, for
    signing.sign_pdf to fill in place (see certificates.signing)."""
    media_names = [certificate.photo.name] if certificate.photo else []
    return renderer(certificate.template_version).write_pdf(
        certificate_html(certificate),
        media_names=media_names,
        finisher=signing.reserve_signature(number=certificate.number),
    )

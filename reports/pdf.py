"""The programme report's PDF with WeasyPrint, in the certificate's fonts (certificates.fonts: Noto
Serif CJK cut to GB2312, the full font behind it) and under the certificate renderer's rules of
what may be fetched (certificates.rendering.CertificateURLFetcher: our static files and the cut
fonts, nothing else). The charts are inline SVG (reports.svg): WeasyPrint runs no JavaScript.

One renderer per process keeps the fonts and the compiled stylesheet: the first report in a process
pays for loading the fonts, the next ones do not.
"""

import threading

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from certificates import fonts
from certificates.rendering import FONTS_PREFIX, RENDER_ORIGIN, CertificateURLFetcher, static_url

from .programme import Report

STYLESHEET = "reports/report.css"


class ReportRenderer:
    def __init__(self):
        self.font_config = FontConfiguration()
        faces = fonts.certificate_faces()
        fetcher = CertificateURLFetcher(fonts={face.name: face.content for face in faces})
        font_faces = "".join(
            f'@font-face {{ font-family: "{fonts.FAMILY}"; src: url({RENDER_ORIGIN}{FONTS_PREFIX}{face.name}); '
            f"font-weight: {face.weight}; }}\n"
            for face in faces
        )
        self.base_url = static_url("reports/")
        self.stylesheets = [
            CSS(string=font_faces or "/* system fonts */", url_fetcher=fetcher, font_config=self.font_config),
            CSS(url=static_url(STYLESHEET), url_fetcher=fetcher, font_config=self.font_config),
        ]
        self._lock = threading.Lock()

    def write_pdf(self, html: str) -> bytes:
        with self._lock:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=CertificateURLFetcher())
            return document.write_pdf(stylesheets=self.stylesheets, font_config=self.font_config)


_renderer: ReportRenderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> ReportRenderer:
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = ReportRenderer()
        return _renderer


def report_html(report: Report) -> str:
    # The report's wording is the district's: written in Chinese in its template, like the certificate.
    with translation.override("zh-hans"):
        return render_to_string("reports/programme.html", {"report": report})


def report_pdf(report: Report) -> bytes:
    return renderer().write_pdf(report_html(report))

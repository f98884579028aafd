"""The public notice as a PDF to print and post (WeasyPrint, A4, Chinese text as real text).

The document fetches nothing: no image, no stylesheet, no font file by URL (the fetcher refuses
every URL, so user text cannot make WeasyPrint read a file or the network). The text is set in the
system Noto CJK fonts through fontconfig, the families the certificates use (certificates.fonts
cuts those for certificates; this app may not import certificates, so it names the families).
"""

import threading

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STYLESHEET = """
@page { size: A4; margin: 16mm 14mm 18mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } }
html { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10.5pt; color: #000; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
p.period { text-align: center; margin: 0 0 5mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #555; padding: 1.2mm 1.6mm; text-align: left; vertical-align: top; }
thead { display: table-header-group; }
th { background: #eee; font-family: "Noto Sans CJK SC", sans-serif; font-weight: 700; }
td.mono { font-family: "Noto Sans Mono CJK SC", monospace; white-space: nowrap; }
td:first-child, td:nth-child(2), td:last-child { white-space: nowrap; }
section.office { margin-top: 6mm; border-top: 0.8pt solid #000; padding-top: 3mm; }
section.office dl { display: block; margin: 0; }
section.office dt { font-weight: 700; display: inline; }
section.office dd { display: inline; margin: 0 4mm 0 0; }
p.signed { text-align: right; margin-top: 8mm; }
"""


class NothingFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        raise ValueError(f"the public notice PDF fetches nothing: {url[:100]}")


_lock = threading.Lock()
_fonts: FontConfiguration | None = None
_css: CSS | None = None


def notice_pdf(context: dict) -> bytes:
    global _fonts, _css
    html = render_to_string("workflows/publicity/notice_pdf.html", context)
    with _lock:
        if _fonts is None or _css is None:
            _fonts = FontConfiguration()
            _css = CSS(string=STYLESHEET, font_config=_fonts, url_fetcher=NothingFetcher())
        document = HTML(string=html, base_url="https://notice.invalid/", url_fetcher=NothingFetcher())
        return document.write_pdf(stylesheets=[_css], font_config=_fonts)

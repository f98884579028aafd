"""A batch's certificates as one PDF, to print them in one go (issue 15 item 7).

The stored, signed PDFs are concatenated page by page with pypdf. The result is for the printer
only: a merged file carries no valid signature (the signature covers each original file's bytes),
so the signed originals stay the certificates that count (download, zip, verification).
"""

from collections.abc import Iterable
from typing import IO

from pypdf import PdfReader, PdfWriter


def merge_pdfs(certificates: Iterable, out: IO[bytes]) -> int:
    """Write the certificates' stored PDFs, in the order given, into `out`; return the page count."""
    writer = PdfWriter()
    for certificate in certificates:
        with certificate.pdf.open("rb") as stored:
            # Read whole: the storage's file closes before the writer copies the pages.
            reader = PdfReader(stored, strict=False)
            for page in reader.pages:
                writer.add_page(page)
    pages = len(writer.pages)
    writer.write(out)
    return pages

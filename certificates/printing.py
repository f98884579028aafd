"""A batch's certificates as one PDF, to print them in one go (issue 15 item 7).

The stored, signed PDFs are concatenated page by page with pypdf. The result is for the printer
only: a merged file carries no valid signature (the signature covers each original file's bytes),
so the signed originals stay the certificates that count (download, zip, verification).
"""

import io
import logging
from collections.abc import Iterable
from typing import IO

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

logger = logging.getLogger(__name__)


def merge_pdfs(certificates: Iterable, out: IO[bytes]) -> int:
    """Write the certificates' stored PDFs, in the order given, into `out`; return the page count.
    A stored file that cannot be read is left out and logged (verify_pdf tells what is wrong with it)."""
    writer = PdfWriter()
    for certificate in certificates:
        with certificate.pdf.open("rb") as stored:
            content = stored.read()  # the storage's file closes before the writer copies the pages
        try:
            reader = PdfReader(io.BytesIO(content), strict=False)
            pages = list(reader.pages)
        except (PdfReadError, ValueError) as error:
            logger.error("certificate %s left out of the print file: %s", certificate.number, error)
            continue
        for page in pages:
            writer.add_page(page)
    pages = len(writer.pages)
    writer.write(out)
    return pages

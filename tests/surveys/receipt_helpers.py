"""Reading a receipt's PDF back as text, for the receipt's tests."""

import io
import re

import pypdf

FOOTER = re.compile(r"Accusé de réception BDL-\S+ page \d+ sur \d+")


def pdf_text(document: bytes) -> str:
    """Every page's text on one line, the running footers taken out (a label that runs onto the
    next page reads whole again)."""
    pages = pypdf.PdfReader(io.BytesIO(document)).pages
    text = " ".join(page.extract_text() for page in pages)
    return FOOTER.sub(" ", flat(text)).replace("  ", " ")


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())

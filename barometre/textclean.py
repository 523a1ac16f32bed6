"""Text hygiene shared by validation, request parameters and the export writers.

Line breaks are stored as LF only (a lone CR would split a CSV row in a reader that takes it for
a line end); NUL and the other control characters are refused (PostgreSQL refuses NUL in text,
the others are invisible and only ever come from a paste or an attack).
"""

import re

from django.core.exceptions import ValidationError

# C0 controls except tab and line feed, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CR = re.compile(r"\r\n?")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    return _CR.sub("\n", text)


def clean_text(text: str) -> str:
    """Newlines normalised; a French ValidationError when a control character is left."""
    text = normalise_newlines(text)
    found = _CONTROL.search(text)
    if found:
        raise ValidationError(
            f"Ce texte contient un caractère de contrôle non autorisé "
            f"(U+{ord(found.group()):04X}) : retirez-le, par exemple en le saisissant à nouveau.",
            code="control_character",
        )
    return text


def strip_controls(text: str) -> str:
    """The text without control characters (tab and LF too): for search and filter values."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", "", text)

"""Checks on uploaded files before any parser reads them: archive sizes, text encodings.

An .xlsx is a zip archive: its declared uncompressed size is read from the central directory
(no decompression), so a small file that would expand to hundreds of megabytes is refused at
once. Errors are `UnreadableUpload`, whose message is French and meant for the page (a 400).
"""

import zipfile

from barometre.textclean import normalise_newlines

_CONTROL_BYTES = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20))


class UnreadableUpload(ValueError):
    """The file cannot be read as what it claims to be; the message says why, in French."""


def check_xlsx(source, max_uncompressed: int) -> None:
    """Refuse what is not a zip archive, or whose content would exceed `max_uncompressed` bytes."""
    try:
        with zipfile.ZipFile(source) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableUpload(
            "Le fichier XLSX est illisible ou endommagé : ce n'est pas un classeur Excel."
        ) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if total > max_uncompressed:
        raise UnreadableUpload(
            f"Le classeur décompressé ferait {total // 1_000_000} Mo : "
            f"{max_uncompressed // 1_000_000} Mo au plus. Déposez un fichier plus petit."
        )


def decode_csv(raw: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or Windows-1252, LF line ends."""
    if any(byte in _CONTROL_BYTES for byte in raw[:65536]):
        raise UnreadableUpload(
            "Le fichier CSV n'est pas un texte lisible (il contient des octets binaires) : "
            "enregistrez-le au format CSV UTF-8."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return normalise_newlines(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise UnreadableUpload(
        "L'encodage du fichier CSV n'est pas reconnu : enregistrez-le au format CSV UTF-8."
    )

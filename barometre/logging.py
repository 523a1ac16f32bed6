"""Secrets kept out of the logs: the magic-link and opt-out tokens in paths are masked.

`MaskTokensFilter` sits on every handler of Django's LOGGING; `GunicornLogger` masks the same in
gunicorn's access log (`gunicorn.conf.py` at the root selects it).
"""

import logging
import re

from gunicorn.glogging import Logger

_TOKEN_IN_PATH = re.compile(r"(/(?:acces|relances/desinscription)/)(?!renvoyer/)[^/?#\s\"']+")
MASK = r"\1***"


def mask_tokens(text: str) -> str:
    return _TOKEN_IN_PATH.sub(MASK, text)


class MaskTokensFilter(logging.Filter):
    """Rewrites the record's message once formatted, so arguments are masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


class GunicornLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        """Every text atom masked: the request line, path, referer, and raw environ values."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: mask_tokens(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }

"""Magic-link tokens never reach a log: Django's handlers and gunicorn's access log mask them."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from barometre.logging import GunicornLogger, MaskTokensFilter

TOKEN = "Zk3v9yQe0b1L8sWmT4nR6pXcA2dF7gHj5uKo"


def test_a_refused_link_is_logged_without_its_token(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskTokensFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.get(f"/acces/{TOKEN}/?utm=x").status_code == 404
    finally:
        logger.removeHandler(handler)
    assert "/acces/***/" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def test_every_configured_handler_masks_tokens(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "mask_tokens" in handler["filters"]


def test_the_filter_masks_arguments_and_opt_out_tokens_but_not_the_resend_page():
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "GET %s puis %s et %s",
        (
            f"/acces/{TOKEN}/",
            f"/relances/desinscription/{TOKEN}/",
            "/acces/renvoyer/",
        ),
        None,
    )
    MaskTokensFilter().filter(record)
    message = record.getMessage()
    assert TOKEN not in message
    assert message == "GET /acces/***/ puis /relances/desinscription/***/ et /acces/renvoyer/"


def test_the_gunicorn_access_log_masks_the_request_line_and_the_referer():
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/acces/{TOKEN}/",
        "PATH_INFO": f"/acces/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://barometre.test/acces/{TOKEN}/",
        "QUERY_STRING": "",
        "REMOTE_ADDR": "192.0.2.1",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    atoms = GunicornLogger(Config()).atoms(response, request, environ, timedelta(seconds=1))
    assert atoms["r"] == "POST /acces/***/ HTTP/1.1"
    assert TOKEN not in " ".join(str(value) for value in atoms.values())

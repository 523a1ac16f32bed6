"""A strict Content-Security-Policy on every page, and templates it lets work as they are."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\sstyle=|\son[a-z]+=")


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("path", ["/", "/healthz", "/acces/renvoyer/", "/compte/connexion/"])
def test_every_page_forbids_inline_scripts_and_styles(client, db, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in str(policy)


def test_no_template_has_an_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group().strip()}"
        for path in TEMPLATES.rglob("*.html")
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []

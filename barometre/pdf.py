"""PDF documents drawn from Django templates with WeasyPrint.

The fonts are the DejaVu files the app ships (npm package ``dejavu-fonts-ttf``, installed with the
other front-end assets), declared with ``@font-face``: a receipt looks the same on every server,
whatever fonts the system has. WeasyPrint may read files of the app and nothing else: no address
on the network is ever fetched while a document is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string

FONT_DIR: Path = settings.NODE_MODULES / "dejavu-fonts-ttf" / "ttf"
FONT_FAMILY = "Barometre Sans"
_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)


def font_css() -> str:
    """The ``@font-face`` rules of the shipped fonts, and the body set in them."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{(FONT_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in _FACES
    ]
    rules.append(f'html {{ font-family: "{FONT_FAMILY}", sans-serif; }}')
    return "\n".join(rules)


def _project_root_uri() -> str:
    return Path(settings.BASE_DIR).resolve().as_uri() + "/"


def _allowed_roots() -> tuple[Path, ...]:
    # node_modules may be a link to a copy shared between checkouts: its target is allowed too.
    return (Path(settings.BASE_DIR).resolve(), Path(settings.NODE_MODULES).resolve())


def local_path(url: str) -> Path | None:
    """The file a ``file:`` address names once ``..`` and links are resolved, when it lies
    below the project (or its front-end packages); None for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if any(path.is_relative_to(root) for root in _allowed_roots()):
        return path
    return None


def local_files_fetcher() -> Any:
    """WeasyPrint's fetcher, restricted to files below the project (fonts, CSS)."""
    from weasyprint.urls import URLFetcher

    class LocalFilesFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = local_path(url)
            if path is None:
                # WeasyPrint logs it and draws the document without the resource.
                raise ValueError(f"ressource refusée dans un PDF : {url[:200]}")
            return super().fetch(path.as_uri(), headers)

    return LocalFilesFetcher(allowed_protocols={"file"}, allow_redirects=False)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF's bytes."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context)
    document = HTML(
        string=html,
        base_url=_project_root_uri(),
        url_fetcher=local_files_fetcher(),
    )
    # Tagged (structure tree, language of the page): screen readers read it in order (RGAA 13.3).
    return document.write_pdf(stylesheets=[CSS(string=font_css())], pdf_tags=True)

import shutil
import subprocess

from django.conf import settings


def test_the_trimmed_bootstrap_stylesheet_matches_the_templates():
    """static/css/bootstrap-trimmed.css is generated (bin/trim-css.mjs) and committed."""
    node = shutil.which("node")
    assert node, "Node.js est nécessaire (npm ci installe PurgeCSS)."
    check = subprocess.run(
        [node, "bin/trim-css.mjs", "--check"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr


def test_the_trimmed_stylesheet_keeps_what_the_pages_use_and_drops_the_rest():
    css = (settings.BASE_DIR / "static" / "css" / "bootstrap-trimmed.css").read_text()
    assert ".alert-danger {" in css  # built from the message level in templates/base.html
    assert ".visually-hidden {" in css
    assert ".form-control {" in css
    assert ".carousel" not in css and ".offcanvas" not in css

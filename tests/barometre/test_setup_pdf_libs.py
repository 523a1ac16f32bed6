"""bin/_setup.sh installs Pango for WeasyPrint when it is missing, as it installs Chromium."""

import os
import re
import subprocess
from pathlib import Path

import pytest

SETUP = Path(__file__).resolve().parents[2] / "bin" / "_setup.sh"


def function(name: str) -> str:
    match = re.search(rf"^{name}\(\) {{.*?^}}$", SETUP.read_text(), re.S | re.M)
    assert match, f"{name} absent de bin/_setup.sh"
    return match.group(0)


@pytest.fixture
def fake_system(tmp_path):
    """Commands that record their calls; `ldconfig` lists the libraries in $LIBS."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    scripts = {
        "ldconfig": 'printf "%s\\n" "$LIBS"',
        "apt-get": f'echo "apt-get $*" >> {calls}',
        "id": "echo 0",
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    def run(libs: str) -> str:
        script = function("install_pdf_libs") + "\ninstall_pdf_libs\n"
        env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "LIBS": libs}
        subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, check=True)
        return calls.read_text() if calls.exists() else ""

    return run


def test_it_installs_pango_when_the_library_is_missing(fake_system):
    calls = fake_system("\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6")
    assert "apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0" in calls


def test_it_installs_nothing_when_pango_is_there(fake_system):
    present = "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libpango-1.0.so.0"
    assert fake_system(present) == ""


def test_both_scripts_call_it():
    for script in ("demo", "test"):
        assert "\ninstall_pdf_libs\n" in (SETUP.parent / script).read_text(), script

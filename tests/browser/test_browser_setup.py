"""Without Chromium the browser tests skip with a reason, except in CI where they fail."""

import pytest

from tests.browser.support import browser_unavailable, chromium_path


def test_a_missing_browser_fails_the_run_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium introuvable.*CI est défini"):
        browser_unavailable("Chromium introuvable")


def test_a_missing_browser_skips_with_its_reason_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium introuvable"):
        browser_unavailable("Chromium introuvable")


def test_chromium_path_honours_an_explicit_location(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setenv("CHROMIUM_PATH", str(fake))
    assert chromium_path() == str(fake)
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "absent"))
    assert chromium_path() is None

"""The API's browsable documentation works under the site's Content-Security-Policy."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_its_operations_under_the_csp(page, db):
    page.goto("/api/v1/docs/")
    # Swagger UI is started by a script file, and lists the operations read from the schema.
    page.locator(".opblock-summary-path", has_text="/api/v1/editions/").first.wait_for()
    assert "API du Baromètre" in page.locator(".information-container").inner_text()

"""Headless Chromium (Debian's, installed by `make test`) driven by Playwright, against
pytest-django's live server on the test database."""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    path = shutil.which("chromium")
    assert path, "Chromium is missing: `make test` installs it (apt-get install chromium)"
    # Playwright's sync API runs an event loop; Django must not take it for async context.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def chinese_context(chromium, base_url: str, **options):
    """A browser context as a Chinese-speaking user has it (a desktop screen by default)."""
    return chromium.new_context(
        **{
            "locale": "zh-CN",
            "extra_http_headers": {"Accept-Language": "zh-Hans"},
            "viewport": {"width": 1280, "height": 800},
            "base_url": base_url,
            **options,
        }
    )


@pytest.fixture
def page(chromium, live_server):
    context = chinese_context(chromium, live_server.url)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str, password: str = "pass-1234-word") -> None:  # noqa: S107
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# What the accessibility check of issue #14 looks for: contrast, and controls without a name.
A11Y_RULES = (
    "color-contrast",
    "label",
    "select-name",
    "button-name",
    "input-button-name",
    "link-name",
    "aria-input-field-name",
    "form-field-multiple-labels",
    "image-alt",
)


def accessibility_violations(page, rules=A11Y_RULES) -> list[str]:
    """axe-core's findings on the page as it is now, one line each (empty: none). axe-core
    comes inside the axe-playwright-python package (the dev extra), injected into the page
    by Playwright: nothing is fetched from the network."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "rule", "values": list(rules)}, "resultTypes": ["violations"]},
    )
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            found.append(
                f"{page.url} {violation['id']}: {' '.join(node['target'])} "
                f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return found

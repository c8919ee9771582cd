"""The dashboard in Debian's Chromium, driven by Playwright (nothing downloads a
browser): sign in, switch language, filter, open a customer, record an outcome.
Screenshots go to the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web._web import PASSWORD, USER

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.is_file(),
        reason="needs Debian's Chromium at /usr/bin/chromium "
        "(make system-deps, or apt-get install chromium)",
    ),
]
_TIMEOUT_MS = 120_000  # the first contact list trains the risk model


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(_TIMEOUT_MS)
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _sign_in(page: Any) -> None:
    page.goto("/")
    assert "/login" in page.url
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("#signin")
    page.wait_for_selector("#block-headline")


def test_sign_in_and_see_the_overview(page: Any, tmp_path: Path) -> None:
    page.goto("/login")
    page.fill("#username", USER)
    page.fill("#password", "not the password")
    page.click("#signin")
    assert page.locator(".problem").inner_text() == "Wrong user name or password."
    _sign_in(page)
    page.wait_for_selector("#chart-churn_trend[data-drawn='1'] .main-svg")
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert (tmp_path / "overview.png").stat().st_size > 10_000


def test_switch_language_and_filter(page: Any, tmp_path: Path) -> None:
    _sign_in(page)
    page.select_option("#lang-select", "pl")  # the script submits the switch
    page.wait_for_selector("html[lang='pl']")
    assert page.locator("nav a[aria-current='page']").inner_text() == "Przegląd"
    page.click("nav >> text=Rezygnacje według okresów")
    page.select_option("#filter-period", "quarter")
    page.select_option("#filter-by", "segment")
    page.click("#filter-apply")
    page.wait_for_url(re.compile(r".*period=quarter.*by=segment.*"))
    page.wait_for_selector("#chart-churn_trend[data-drawn='1']")
    table = page.locator("section.table table").inner_text()
    assert "enterprise" in table and "kw." in table  # Polish quarter labels
    page.screenshot(path=str(tmp_path / "churn-pl.png"), full_page=True)
    for lang, word in [
        ("lt", "Apžvalga"),
        ("da", "Overblik"),
        ("vi", "Tổng quan"),
        ("sl", "Pregled"),
        ("en", "Overview"),
    ]:
        page.select_option("#lang-select", lang)
        page.wait_for_selector(f"html[lang='{lang}']")
        assert word in page.locator("nav").inner_text()
        page.screenshot(path=str(tmp_path / f"churn-{lang}.png"))


def test_open_a_customer_and_record_an_outcome(page: Any, tmp_path: Path) -> None:
    _sign_in(page)
    page.click("nav >> text=Contact list")
    page.wait_for_selector("a.customer-link")
    first = page.locator("a.customer-link").first
    customer = first.inner_text()
    first.click()
    page.wait_for_selector("h1:has-text('Customer')")
    assert customer in page.locator("h1").inner_text()
    assert page.locator(".timeline li").count() > 0
    page.select_option("#outreach-outcome", "saved")
    page.fill("#outreach-reason", "the price went up too much")
    page.fill("#outreach-offer", "three months at 20% off")
    page.click("#outreach-save")
    page.wait_for_selector(".flash")
    history = page.locator("section.table", has_text="Outreach history").inner_text()
    assert "three months at 20% off" in history and "Saved" in history
    assert "Price" in history  # the customer's words, classified
    page.screenshot(path=str(tmp_path / "customer.png"), full_page=True)

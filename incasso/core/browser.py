"""Browser-test helpers for every portal: Debian's Chromium through Playwright, screenshots, axe-core checks.

The fixtures ``chromium_browser`` and ``page`` live in the root conftest.py. A browser test is marked
``@pytest.mark.slow`` and ``@pytest.mark.django_db(transaction=True)`` (the live server runs in another thread, so
the data must be committed).
"""

from __future__ import annotations

import json
import os
import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("INCASSO_CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"

PHONE = ViewportSize(width=360, height=740)
DESKTOP = ViewportSize(width=1280, height=800)
# axe-core impact levels the project does not accept on its pages.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@contextmanager
def chromium_launch() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run `make setup` (installs Debian's chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_open(browser: Browser, *, base_url: str, locale: str = "nl-NL") -> Iterator[Page]:
    """A page in its own browser context; a Content-Security-Policy violation reported by the browser fails."""
    context = browser.new_context(base_url=base_url, locale=locale, viewport=DESKTOP)
    page = context.new_page()
    violations: list[str] = []

    def _console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", _console)
    try:
        yield page
    finally:
        context.close()
    if violations:
        raise AssertionError(f"Content-Security-Policy violations: {violations}")


def screenshot(page: Page, name: str) -> tuple[Path, Path]:
    """Save the current page at phone and desktop width under var/screenshots/ (kept as CI artefacts)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths[0], paths[1]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (from the npm registry, node_modules/) in the page; returns its violations.

    ``page.evaluate`` runs through the DevTools protocol, so the page's CSP does not have to allow the script.
    """
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"axe-core not found at {AXE_SCRIPT}: run `make setup` (npm ci).")
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    violations: list[dict[str, Any]] = json.loads(result)
    return violations


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the current page."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    summary = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in blocking]
    if blocking:
        raise AssertionError("Accessibility violations:\n" + "\n".join(summary))


# Links a crawl does not follow: leaving the session, files rather than pages, and the machine doors.
CRAWL_SKIP = re.compile(
    r"/logout|/static/|/media/|/api/|/admin/|\.(pdf|csv|json|xml|zip)$|/download|/export|/letters/\d+/$"
)


def pages_crawl(page: Page, *, start: str, limit: int = 60) -> tuple[list[str], list[str]]:
    """Visit every same-site page reachable by links from ``start`` (one page per URL shape: /cases/12/ stands for
    every /cases/N/), at most ``limit``. ``page`` is already open on the site (logged in, as the crawl's user).
    Returns the paths visited and the problems found: an HTTP error, a script or console error, a serious or
    critical axe-core finding."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: console: {m.text[:300]}") if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {str(error)[:300]}"))
    origin = urlsplit(page.url).netloc
    shapes: set[str] = set()
    queue: deque[str] = deque([start])
    visited: list[str] = []

    def shape(path: str) -> str:
        return re.sub(r"\d+", "N", path.split("?")[0])

    shapes.add(shape(start))
    while queue and len(visited) < limit:
        path = queue.popleft()
        response = page.goto(path)
        visited.append(path)
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else 'no answer'}")
            continue
        for finding in axe_violations(page):
            if finding.get("impact") in BLOCKING_IMPACTS:
                targets = [node["target"] for node in finding["nodes"]][:3]
                problems.append(f"{path}: axe {finding['id']} ({finding['impact']}): {finding['help']} {targets}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            target = urlsplit(urljoin(page.url, href))
            if target.netloc != origin or CRAWL_SKIP.search(target.path):
                continue
            if shape(target.path) in shapes:
                continue
            shapes.add(shape(target.path))
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visited, problems

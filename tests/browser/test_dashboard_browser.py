"""The dashboard in a real browser: `streamlit run` on the demo warehouse, driven by Chromium.

Chromium is the system's (Debian package `chromium`, or $WATTLAKE_CHROMIUM); Playwright only
drives it and never downloads a browser. Every page is visited by its URL path; each gets a
full-page screenshot in tests/artifacts/screenshots/ (and the Overview and Pipeline at 390 px,
a phone's width). Timings go to tests/artifacts/browser_timings.json, reported, not asserted (a
shared 2-core machine is noisy), each page's with the load average read beside it:
- **new tab**: the median of LOADS new tabs (pages) in the module's one browser context, from
  goto to every chart drawn. The context has opened every page before, so the app's JavaScript
  is in its HTTP cache, as in the browser of a reader who opens another tab; the database and
  the app's caches (queries, figures) are warm;
- **first visit**: the median of FIRST_VISITS tabs, each in a brand-new context (empty HTTP
  cache: every script fetched again), stricter than the requirement;
- the same pages reached by a click in the sidebar, and the median redraw after a filter change.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.demo_warehouse import demo_warehouse_once
from tests.helpers import PROJECT_DIR, free_port

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("WATTLAKE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
# page name -> URL path (the default page is served at the root)
PAGES = {
    "overview": "",
    "temperature": "temperature",
    "energy_mix": "energy_mix",
    "regions": "regions",
    "renewables": "renewables",
    "peaks": "peaks",
    "pipeline": "pipeline",
}
TITLES = [
    "Overview",
    "Temperature and consumption",
    "Energy mix and carbon",
    "Regions",
    "Renewables and weather",
    "Peaks",
    "Pipeline",
]
CONTENT = '[data-testid="stMain"] :is([data-testid="stPlotlyChart"], [data-testid="stMetric"])'
# every chart of the page drawn by Plotly (its SVG exists), or the page's figures when it has no
# chart, and the script finished. Charts are counted by their element containers (every chart is
# shown by charts.show, keyed `chart_<name>`), which exist before the Plotly component has loaded:
# `stPlotlyChart` itself appears only once Plotly's JavaScript has loaded, so counting those would
# call a page drawn while its charts are still loading.
DRAWN = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const app = document.querySelector('[data-testid="stApp"]');
    if (!main || !app || app.dataset.testScriptState !== "notRunning") return false;
    const charts = [...main.querySelectorAll('[class*="st-key-chart_"]')];
    if (charts.length) return charts.every((chart) => chart.querySelector('.main-svg'));
    return main.querySelectorAll('[data-testid="stMetric"]').length > 0;
}"""
# the granularity clicked is in the URL (the default, week, is left out of it)
IN_THE_URL = """(granularity) => granularity === "week"
    ? !location.search.includes("granularity=")
    : location.search.includes("granularity=" + granularity)"""
LOADS = 5  # new tabs per page after a first, warming one; the median is reported
FIRST_VISITS = 3  # tabs per page in a new, empty browser context each
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """`streamlit run` of the dashboard on a free port, headless, against the demo warehouse."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"No Chromium at {CHROMIUM}: `apt-get install chromium` or set WATTLAKE_CHROMIUM"
        )
    pytest.importorskip("playwright.sync_api", reason="playwright (the driver) is not installed")
    warehouse = demo_warehouse_once(tmp_path_factory)
    port = free_port()
    env = {**os.environ, **warehouse.dashboard_env(), "PYTHONPATH": str(PROJECT_DIR)}
    log = (tmp_path_factory.mktemp("streamlit") / "streamlit.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "dashboard/streamlit_app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer",
        ],
        cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"streamlit did not start; see {log.name}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser(app_url) -> Iterator:
    """One browser context for the module, so pages after the first load the app's code cached."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium.new_context(viewport={"width": 1400, "height": 1000})
        chromium.close()


def screenshot(page, path: Path, width: int = 1400) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the window to fit it."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(1000, height)})
    page.wait_for_timeout(800)  # Plotly redraws at the new size
    page.screenshot(path=str(path), full_page=True)


def open_page(context, url: str):
    """A new tab at `url`, once the page's own content (a chart or a figure) is visible and its
    script has finished."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(CONTENT, state="visible", timeout=TIMEOUT_MS)
    page.wait_for_selector(DONE, timeout=TIMEOUT_MS)
    return page


def drawn_ms(context, url: str) -> float:
    """ms from goto in a new tab to every chart of the page drawn."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS, polling=50)
    elapsed = (time.perf_counter() - started) * 1000
    page.close()
    return elapsed


def first_visit_ms(context, url: str) -> float:
    """ms from goto to every chart drawn, in a tab of a new browser context (empty cache)."""
    fresh = context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        return drawn_ms(fresh, url)
    finally:
        fresh.close()


def load_average() -> float:
    """The machine's 1-minute load average, written beside each timing."""
    return round(os.getloadavg()[0], 2)


def median_ms(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times)), "ms": [round(t) for t in times]}


def page_timings(context, url: str) -> dict:
    """A page's new-tab and first-visit timings, each with the load average of its loads."""
    before = load_average()
    loads = [drawn_ms(context, url) for _ in range(LOADS)]
    between = load_average()
    first_visits = [first_visit_ms(context, url) for _ in range(FIRST_VISITS)]
    return {
        "new_tab": {**median_ms(loads), "load_average": [before, between]},
        "first_visit": {**median_ms(first_visits), "load_average": [between, load_average()]},
    }


def report(timings: dict) -> None:
    (ARTIFACTS / "browser_timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\npage          new tab (median ms)  first visit (median ms)  sidebar click (ms)  charts"
          "  load average")  # fmt: skip
    for name in PAGES:
        figures = timings[name]
        new_tab, first_visit = figures["new_tab"], figures["first_visit"]
        print(
            f"{name:<13} {new_tab['median_ms']:>19}  {first_visit['median_ms']:>23}  "
            f"{figures['after_click_ms']:>18}  {figures['plotly_charts']:>6}  "
            f"{new_tab['load_average'][0]}-{first_visit['load_average'][1]}"
        )
    change = timings["filter_change"]
    print(f"filter change (granularity), median: {change['median_ms']} ms, "
          f"load average {change['load_average']}")  # fmt: skip


def test_every_page_renders_without_error(browser, app_url) -> None:
    screenshots = ARTIFACTS / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    timings = {}
    for name, path in PAGES.items():
        page = open_page(browser, f"{app_url}/{path}")
        page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
        screenshot(page, screenshots / f"{name}.png")
        errors = [element.inner_text() for element in page.query_selector_all(ERRORS)]
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        page.close()
        assert not errors, f"{name}: {errors}"
        timings[name] = {**page_timings(browser, f"{app_url}/{path}"), "plotly_charts": charts}

    # the same pages reached the way a reader moves: a click in the sidebar of the open app
    page = open_page(browser, f"{app_url}/pipeline")
    for name, title in zip(PAGES, TITLES, strict=True):
        started = time.perf_counter()
        page.locator('[data-testid="stSidebarNavLink"]', has_text=title).click()
        page.wait_for_selector(f'h1:has-text("{title}")', timeout=TIMEOUT_MS)
        page.wait_for_function(DRAWN, timeout=TIMEOUT_MS, polling=50)
        timings[name]["after_click_ms"] = round((time.perf_counter() - started) * 1000)
        assert not page.query_selector_all(ERRORS), name
    page.close()

    # a filter change: the granularity of the temperature page, a few times round
    page = open_page(browser, f"{app_url}/temperature")
    before = load_average()
    redraws = []
    for granularity in ["month", "day", "week"] * 2:
        started = time.perf_counter()
        page.locator('[data-testid="stButtonGroup"] button', has_text=granularity).click()
        page.wait_for_function(IN_THE_URL, arg=granularity, timeout=TIMEOUT_MS)
        page.wait_for_function(DRAWN, timeout=TIMEOUT_MS, polling=50)
        redraws.append((time.perf_counter() - started) * 1000)
    page.close()
    timings["filter_change"] = {**median_ms(redraws), "load_average": [before, load_average()]}
    report(timings)


def test_at_a_phone_width_cards_keep_their_order_and_the_table_scrolls(browser, app_url) -> None:
    """390 px wide: the Overview's region cards read in the order of the wide layout, and the
    coverage table scrolls sideways instead of being cut off."""
    context = browser.browser.new_context(viewport={"width": 390, "height": 844})
    try:
        for name, path in (("overview", ""), ("pipeline", "pipeline")):
            page = open_page(context, f"{app_url}/{path}")
            page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
            screenshot(page, ARTIFACTS / "screenshots" / f"{name}_390px.png", width=390)
            if name == "overview":
                cards = page.locator('[data-testid="stMain"] [data-testid="stMetric"]')
                boxes = [cards.nth(index).bounding_box() for index in range(cards.count())]
                labels = cards.locator('[data-testid="stMetricLabel"]').all_inner_texts()
                region_tops = [box["y"] for box in boxes[3:]]  # after the 3 headline figures
                assert region_tops == sorted(region_tops), labels
                assert labels[3].startswith("France")
                table = page.locator('[data-testid="stDataFrame"]').first
                assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 390
                scroller = table.locator(".dvn-scroller")
                assert scroller.evaluate("(node) => node.scrollWidth > node.clientWidth")
                scroller.evaluate("(node) => { node.scrollLeft = 200; }")
                assert scroller.evaluate("(node) => node.scrollLeft") > 0
            page.close()
    finally:
        context.close()


def test_filters_live_in_the_url_across_pages(browser, app_url) -> None:
    page = open_page(browser, f"{app_url}/temperature?regions=France&regions=Bretagne")
    regions = page.locator('[data-testid="stMultiSelect"]')
    assert "Bretagne" in regions.inner_text()
    # a widget change is written to the URL...
    page.locator('[data-testid="stButtonGroup"] button', has_text="month").click()
    page.wait_for_url("**granularity=month**", timeout=TIMEOUT_MS)
    page.wait_for_selector(DONE, timeout=TIMEOUT_MS)
    # ...and the filters follow the reader to another page
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Peaks").click()
    page.wait_for_url("**/peaks**", timeout=TIMEOUT_MS)
    page.wait_for_selector(CONTENT, state="visible", timeout=TIMEOUT_MS)
    page.wait_for_selector(DONE, timeout=TIMEOUT_MS)
    assert "regions=Bretagne" in page.url
    assert "Bretagne" in page.locator('[data-testid="stMultiSelect"]').inner_text()
    assert not page.query_selector_all(ERRORS)
    page.close()


def test_a_chart_downloads_its_data_as_csv(browser, app_url) -> None:
    """The CSV is written on the click (deferred), and it is the chart's data."""
    page = open_page(browser, f"{app_url}/peaks")
    page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.locator('[data-testid="stDownloadButton"] button').first.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    page.close()
    assert download.value.suggested_filename == "wattlake_top_peaks.csv"
    assert lines[0].startswith("region_code,region_name,rank_in_period,consumption_date")
    assert len(lines) == 1 + 10  # France's ten highest days

"""The Prefect UI shows a run's summary: Debian's chromium, driven by Playwright, opens the flow run page."""
import json
import shutil
from pathlib import Path

import pytest

from prefect_server import ROOT, http

pytestmark = pytest.mark.ui

SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# As this machine's probe starts it: no sandbox as root, and no background calls to the
# closed network (they fail by the dozen and slow every page).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install chromium fonts-noto-cjk (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,  # a fresh temporary profile each launch
                                     timeout=60_000)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            pg.set_default_timeout(60_000)
            yield pg
        finally:
            browser.close()


def test_cjk_fonts_are_installed():
    fonts = list(Path("/usr/share/fonts").rglob("NotoSansCJK*"))
    assert fonts, "fonts-noto-cjk is not installed: the UI would draw Chinese as boxes"


def test_flow_run_page_shows_the_summary_artifact(prefect_server, ingest_local_run, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    run_id = ingest_local_run["id"]
    _, arts = http("POST", f"{prefect_server.api}/artifacts/filter",
                   {"artifacts": {"flow_run_id": {"any_": [run_id]}, "key": {"any_": ["ingest-summary"]}}})
    (summary,) = arts

    page.goto(f"{prefect_server.url}/runs/flow-run/{run_id}", wait_until="networkidle")
    page.get_by_text(ingest_local_run["name"]).first.wait_for()
    page.get_by_text("Artifacts", exact=True).first.click()
    card = page.get_by_text("ingest-summary", exact=True).last
    card.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "flow-run-artifacts.png"), full_page=True)

    card.click()
    page.wait_for_url(f"**/artifacts/artifact/{summary['id']}")
    page.get_by_text("documents loaded").first.wait_for()
    page.get_by_text("市委书记在全市组织工作会议上的讲话").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "flow-run-summary.png"), full_page=True)
    body = page.inner_text("body")
    assert "inputs seen" in body and "exact duplicates" in body
    (SCREENSHOTS / "flow-run.json").write_text(json.dumps({"flow_run": run_id, "artifact": summary["id"],
                                                           "name": ingest_local_run["name"]}), "utf-8")

"""The run page opened in a real headless Chromium, from disk, as a competitor would."""

from __future__ import annotations

import re
from pathlib import Path

from cdp_browser import Chromium
from report_fixtures import write_failed_run, write_passed_run

from harness.report.page import write_report_page

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _decoded(images: list[dict]) -> list[str]:
    return [image["alt"] for image in images if image["complete"] and image["width"] > 0]


def test_passed_page_loads_offline_with_verdict_and_plots(browser: Chromium, artifacts: Path):
    run = write_passed_run(artifacts / "passed")
    page = write_report_page(run)
    screenshot = run / "report_screenshot.png"

    visit = browser.visit(page, screenshot)

    assert visit.requested_urls[0] == page.resolve().as_uri()
    assert visit.network_requests() == []
    assert "PASSED" in visit.text
    assert "90.00" in visit.text
    assert "充电器" in visit.text
    assert "Where training time went" in visit.text
    assert "backbone=efficientnet_lite0 copy=1" in visit.text
    assert "images_per_s 9.6, augmented_per_s 632" in visit.text
    assert "18.0s of the train phase's 41.5s (43%)" in visit.text
    expected = {
        "resource timeline: CPU and memory",
        "latency histogram",
        "per-class accuracy",
        "confusion among the most confused classes",
        "training curve",
    }
    assert {image["alt"] for image in visit.images} == expected
    assert sorted(_decoded(visit.images)) == sorted(expected)
    assert screenshot.read_bytes().startswith(PNG_MAGIC)
    assert screenshot.stat().st_size > 20_000


def test_failed_page_shows_the_reason_and_what_is_missing(browser: Chromium, artifacts: Path):
    run = write_failed_run(artifacts / "failed")
    page = write_report_page(run)
    screenshot = run / "report_screenshot.png"

    visit = browser.visit(page, screenshot)

    assert visit.network_requests() == []
    assert "FAILED" in visit.text
    assert "more than its 2.0 GiB memory limit" in visit.text
    assert "No score" in visit.text
    assert "wrote no metrics file" in visit.text
    assert 'No metrics line carried a "seconds" field' in visit.text
    assert _decoded(visit.images) == ["resource timeline: CPU and memory"]
    assert screenshot.read_bytes().startswith(PNG_MAGIC)


def test_log_lines_are_shown_as_text_not_run_as_script(browser: Chromium, passed_run: Path):
    visit = browser.visit(write_report_page(passed_run))

    assert "<script>document.title='owned'</script>" in visit.text


def test_the_checker_does_see_a_request_that_leaves_the_page(browser: Chromium, tmp_path: Path):
    """Control: a page with an outside image must show up as a network request."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<html><body><img src="http://127.0.0.1:9/x.png"></body></html>')

    visit = browser.visit(leaky)

    assert visit.network_requests() == ["http://127.0.0.1:9/x.png"]


def test_the_page_policy_blocks_an_outside_image_added_later(browser: Chromium, passed_run):
    """The page's Content-Security-Policy stops loads even if someone adds one."""
    page = write_report_page(passed_run)
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", '<img src="http://127.0.0.1:9/y.png"></body>'))

    visit = browser.visit(page)

    assert visit.blocked == {"http://127.0.0.1:9/y.png": "csp"}
    assert visit.network_requests() == []


def test_the_page_references_nothing_outside_itself(passed_run: Path):
    html = write_report_page(passed_run).read_text(encoding="utf-8")

    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources, "the page should hold inline images"
    assert all(source.startswith("data:image/png;base64,") for source in sources)
    assert not re.search(r"url\(|@import|<script|<link", html)

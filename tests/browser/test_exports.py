"""Exports (PNG, CSV, JSON) download; an imported snapshot continues the run."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import open_playground, session_state, unfold
from tests.conftest import LiveServer


def test_exports_download_and_a_snapshot_import_continues(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    first_id = open_playground(page, server.url + "/#dataset=moons&seed=5")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("2")

    unfold(page, "exports")
    with page.expect_download() as png:
        page.click("#export-png")
    assert png.value.suggested_filename.endswith(".png")
    assert png.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv:
        page.click("#export-csv")
    assert csv.value.path().read_text().startswith("step,epoch,")
    with page.expect_download() as snapshot:
        page.click("#export-json")
    saved = tmp_path / "run.json"
    snapshot.value.save_as(saved)

    page.set_input_files("#import-json", saved)
    expect(page.locator("#app")).not_to_have_attribute("data-session-id", first_id)
    new_id = page.locator("#app").get_attribute("data-session-id")
    assert new_id
    expect(page.locator("#epoch")).to_have_text("2")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#epoch")).to_have_text("3")
    body = session_state(page, server.url, new_id)
    assert body["config"]["dataset"] == "moons" and body["config"]["seed"] == 5
    assert body["state"]["epoch"] == 3


def test_a_csv_upload_becomes_the_data(page: Page, server: LiveServer, tmp_path: Path) -> None:
    session_id = open_playground(page, server.url + "/")
    upload = tmp_path / "points.csv"
    upload.write_text("x1,x2,label\n-3,-3,0\n-2,-3,0\n3,3,1\n2,3,1\n0,4,2\n")
    page.set_input_files("#csv-file", upload)
    expect(page.locator('input[name="dataset"][value="custom"]')).to_be_checked()
    expect(page.locator("#legend span")).to_have_count(3)  # three classes now
    config = session_state(page, server.url, session_id)["config"]
    assert config["dataset"] == "custom"
    assert sorted(p[2] for p in config["points"]) == [0, 0, 1, 1, 2]

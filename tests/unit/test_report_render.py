"""`pantau report` writes HTML, PDF, CSV and XLSX; the PDF's pages render and are not blank."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from pantau.cli import cli
from tests.support import FIXTURES

STANDARDS = FIXTURES / "mpp-medan-day.standards.yaml"
EVENTS = FIXTURES / "mpp-medan-day.events.jsonl"
STEM = "mpp-medan-2026-11"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = CliRunner().invoke(
        cli,
        ["report", "--standards", str(STANDARDS), "--office", "mpp-medan", "--period", "2026-11",
         "--events", str(EVENTS), "--format", "html,pdf,csv,xlsx", "--out", str(out)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stdout.split() == [str(out / f"{STEM}.{k}") for k in ("html", "pdf", "csv", "xlsx")]
    return out


def test_the_html_is_in_indonesian_with_the_picture(written: Path) -> None:
    page = (written / f"{STEM}.html").read_text()
    for text in ("Laporan Standar Pelayanan dan Survei Kepuasan Masyarakat", "November 2026",
                 "82,08", "B (Baik)", "Sampel minimum", "Perhatian: responden (114)",
                 "data:image/png;base64,", "diinterpolasi"):  # fmt: skip
        assert text in page


def test_the_pdf_pages_render_and_are_not_blank(written: Path, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm not found: apt-get install poppler-utils"
    subprocess.run(
        [pdftoppm, "-r", "40", "-png", str(written / f"{STEM}.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 3 <= len(pages) <= 6, pages
    for path in pages:
        with Image.open(path) as image:
            grey = image.convert("L")
            assert grey.size[1] > grey.size[0]  # A4 portrait
            dark = sum(grey.histogram()[:200])  # pixels clearly darker than the paper
            assert dark > 0.005 * grey.size[0] * grey.size[1], f"{path.name} looks blank"


def test_the_csv_has_the_numbers(written: Path) -> None:
    with (written / f"{STEM}.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["office", "period", "section", "item", "measure", "value", "previous"]
    value = {(r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    assert value["skm", "", "index"] == "82.08"
    assert value["skm", "", "category"] == "B"
    assert value["skm", "", "minimum_sample"] == "181"
    assert value["service", "ktp-el", "issued"] == "79"
    assert value["service", "ktp-el", "wait_share_met"] == "0.5"


def test_the_workbook_has_a_sheet_per_table(written: Path) -> None:
    book = load_workbook(written / f"{STEM}.xlsx")
    assert book.sheetnames[0] == "Ringkasan"
    assert "SKM" in book.sheetnames and "Loket" in book.sheetnames
    skm = book["SKM"]
    cells = {row[0]: row for row in skm.iter_rows(values_only=True) if row and row[0]}
    assert cells["Indeks Kepuasan Masyarakat (IKM)"][4] == 82.08

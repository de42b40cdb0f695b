"""The shared PDF service: letterhead, Indonesian dates, page numbers, signatures, no network."""

import re
import shutil
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from reports.pdf import (
    _check_local_url,
    format_date_id,
    format_time_id,
    format_weekday_date_id,
    page_counter_css,
    render_pdf,
    render_pdf_html,
)

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: cannot read PDF text"
)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    return result.stdout


def letter_context(**overrides):
    context = {
        "number": "W15.PAS.PAS.1-UM.01.01-123",
        "letter_date": date(2026, 11, 27),
        "subject": "Undangan Rapat Koordinasi",
        "addressees": ["Kepala Dinas Sosial Kabupaten Jember"],
        "paragraphs": ["Dengan hormat, kami mengundang Bapak/Ibu."],
        "signer": {"role": "Kepala Bapas", "name": "Dr. Bambang Sutrisno",
                   "nip": "197203151998031002"},
    }
    context.update(overrides)
    return context


@pytest.mark.parametrize("language", ["id", "en"])
def test_indonesian_date_does_not_depend_on_active_language(language):
    with translation.override(language):
        assert format_date_id(date(2026, 11, 27)) == "27 November 2026"
        assert format_date_id(date(2024, 10, 1)) == "1 Oktober 2024"
        assert format_weekday_date_id(date(2024, 10, 1)) == "Selasa, 1 Oktober 2024"
        assert format_date_id(None) == ""


def test_aware_datetime_is_formatted_in_local_time():
    # 20:00 UTC on 30 September is 03:00 on 1 October in Jakarta.
    moment = datetime(2024, 9, 30, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert format_date_id(moment) == "1 Oktober 2024"
    assert format_time_id(moment) == "03.00 WIB"


def test_page_counter_is_built_from_a_translatable_pattern():
    with translation.override("en"):
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_network_and_outside_files_are_refused(settings):
    with pytest.raises(ValueError):
        _check_local_url("https://example.com/logo.png")
    with pytest.raises(ValueError):
        _check_local_url("http://169.254.169.254/latest/meta-data")
    with pytest.raises(ValueError):
        _check_local_url("file:///etc/passwd")
    _check_local_url((settings.BASE_DIR / "reports" / "fonts" / "DejaVuSerif.ttf").as_uri())
    _check_local_url("data:image/png;base64,AAAA")


def test_html_carries_letterhead_fonts_and_confidential_marking(office):
    html = render_pdf_html("reports/pdf/letter.html", letter_context(), office=office,
                           confidential=True, title="Undangan")
    assert "BAPAS KELAS II JEMBER" in html
    assert office.regional_office.ministry_line.upper() in html
    assert "RAHASIA" in html
    assert "file://" in html and "DejaVuSerif.ttf" in html
    assert "counter(pages)" in html


def test_html_without_confidential_has_no_marking(office):
    html = render_pdf_html("reports/pdf/letter.html", letter_context(), office=office)
    assert "RAHASIA" not in html


def test_render_pdf_returns_a_pdf(office):
    pdf = render_pdf("reports/pdf/letter.html", letter_context(), office=office, title="Surat")
    assert pdf.startswith(b"%PDF")


@needs_pdftotext
def test_pdf_text_holds_letterhead_date_signer_and_page_numbers(office, tmp_path):
    office.letterhead_lines = "Laman: bapasjember.test"
    office.save()
    long_body = ["Paragraf panjang untuk menguji halaman. " * 40] * 8
    pdf = render_pdf(
        "reports/pdf/letter.html",
        letter_context(paragraphs=long_body, verification_url="https://bapas.test/v/ABC123"),
        office=office, confidential=True,
    )
    text = pdf_text(pdf, tmp_path)
    assert "BAPAS KELAS II JEMBER" in text
    assert "Laman: bapasjember.test" in text
    assert "27 November 2026" in text
    assert "NIP 197203151998031002" in text
    assert "RAHASIA" in text
    assert "https://bapas.test/v/ABC123" in text
    pages = re.findall(r"(?:Page|Halaman) (\d+) (?:of|dari) (\d+)", text)
    assert len(pages) >= 2
    assert pages[0] == ("1", pages[0][1]) and pages[-1][0] == pages[-1][1]


@needs_pdftotext
def test_logo_on_disk_is_embedded_without_network(office, tmp_path, settings):
    from django.core.files.base import ContentFile

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    office.logo.save("logo.png", ContentFile(png), save=True)
    html = render_pdf_html("reports/pdf/letter.html", letter_context(), office=office)
    assert office.logo.path in html.replace("%20", " ")
    pdf = render_pdf("reports/pdf/letter.html", letter_context(), office=office)
    assert pdf.startswith(b"%PDF")
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf

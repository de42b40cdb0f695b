"""The one PDF service: office letterhead, Indonesian dates, page numbers, signature blocks.

Every printable of the site (meetings' invitations, attendance sheets and minutes; the reports
app's progress and monthly reports) is a Django template that extends
``reports/pdf/base.html`` and is turned into PDF bytes here by WeasyPrint::

    pdf = render_pdf("meetings/pdf/invitation.html", {"meeting": meeting},
                     office=meeting.office, request=request, title="Undangan")

Rendering never touches the network: only ``file:`` URLs under the project, media and static
roots and ``data:`` URLs are fetched; anything else is refused. Fonts ship with the project in
``reports/fonts`` so a document looks the same on every server.

Official letters (tata naskah dinas) are written in Bahasa Indonesia whatever the reader's UI
language, so documents are rendered in the site's default language (``settings.LANGUAGE_CODE``)
unless a caller asks for another one, and dates always use Indonesian month names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FONTS_DIR = Path(__file__).resolve().parent / "fonts"

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Indonesia's three time zones, as printed after a time ("09.00 WIB").
TIME_ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

# (family, file, weight, style): the faces the PDF stylesheet may use.
FONT_FACES = (
    ("Bapas Serif", "DejaVuSerif.ttf", "normal", "normal"),
    ("Bapas Serif", "DejaVuSerif-Bold.ttf", "bold", "normal"),
    ("Bapas Serif", "DejaVuSerif-Italic.ttf", "normal", "italic"),
    ("Bapas Serif", "DejaVuSerif-BoldItalic.ttf", "bold", "italic"),
    ("Bapas Sans", "DejaVuSans.ttf", "normal", "normal"),
    ("Bapas Sans", "DejaVuSans-Bold.ttf", "bold", "normal"),
)


# --- Indonesian dates ----------------------------------------------------------------------

def _as_local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date_id(value: date | datetime | None) -> str:
    """``27 November 2026``, in Indonesian whatever language is active. ``""`` for None."""
    if value is None or value == "":
        return ""
    day = _as_local_date(value)
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def format_weekday_date_id(value: date | datetime | None) -> str:
    """``Selasa, 1 Oktober 2024``: the "hari/tanggal" line of invitations and minutes."""
    if value is None or value == "":
        return ""
    day = _as_local_date(value)
    return f"{WEEKDAYS_ID[day.weekday()]}, {format_date_id(day)}"


def format_time_id(value: datetime | None, *, zone: bool = True) -> str:
    """``09.00 WIB``: Indonesian letters write times with a dot and the time zone."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    text = f"{value:%H.%M}"
    if zone:
        abbreviation = TIME_ZONE_ABBREVIATIONS.get(str(timezone.get_current_timezone()))
        if abbreviation:
            text = f"{text} {abbreviation}"
    return text


# --- Letterhead ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Letterhead:
    """What the kop surat prints, taken from the office record."""

    ministry_line: str
    regional_office: str
    office_name: str
    address: str
    contact_line: str
    extra_lines: list[str] = field(default_factory=list)
    logo_url: str = ""
    city: str = ""


def letterhead_for(office) -> Letterhead:
    contact = []
    if office.phone:
        contact.append(_("Phone %(phone)s") % {"phone": office.phone})
    if office.email:
        contact.append(_("Email %(email)s") % {"email": office.email})
    regional = office.regional_office
    return Letterhead(
        ministry_line=(regional.ministry_line if regional else "").upper(),
        regional_office=(regional.name if regional else "").upper(),
        office_name=office.name.upper(),
        address=" ".join(office.address.split()),
        contact_line=" · ".join(contact),
        extra_lines=office.letterhead_extra,
        logo_url=_logo_url(office),
        city=office.city,
    )


def _logo_url(office) -> str:
    """A file:// URL of the office logo, or "" when there is none or it is not on disk."""
    if not office.logo:
        return ""
    try:
        path = Path(office.logo.path)
    except (NotImplementedError, ValueError):  # a storage without local paths
        return ""
    return path.resolve().as_uri() if path.is_file() else ""


# --- Fonts, page numbers -------------------------------------------------------------------

def _css_string(text: str) -> str:
    """A double-quoted CSS string that is also safe inside a <style> element."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
               .replace("<", "\\3c ").replace(">", "\\3e "))
    return f'"{escaped}"'


def font_faces_css() -> str:
    rules = []
    for family, filename, weight, style in FONT_FACES:
        url = (FONTS_DIR / filename).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}") format("truetype"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def page_counter_css() -> str:
    """The CSS ``content`` value for "Halaman X dari Y", from a translatable pattern."""
    marker = "\x00"
    pattern = _("Page %(page)s of %(pages)s") % {"page": f"{marker}page{marker}",
                                                 "pages": f"{marker}pages{marker}"}
    parts = []
    for index, chunk in enumerate(pattern.split(marker)):
        if index % 2:  # a counter name between markers
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(_css_string(chunk))
    return " ".join(parts)


# --- Network-free resource fetching --------------------------------------------------------

def _allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR), Path(settings.MEDIA_ROOT), FONTS_DIR]
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        roots.append(Path(static_root))
    return [root.resolve() for root in roots]


def _check_local_url(url: str) -> None:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "data":
        return
    if scheme != "file":
        raise ValueError(f"PDF rendering does not fetch {scheme}: URLs ({url[:80]})")
    path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
    if not any(path.is_relative_to(root) for root in _allowed_roots()):
        raise ValueError(f"PDF rendering does not read files outside the project: {path}")


def _make_url_fetcher():
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint 68 and later

        class LocalOnlyFetcher(urls.URLFetcher):
            def __init__(self):
                super().__init__(allowed_protocols=("file", "data"))

            def fetch(self, url, headers=None):
                _check_local_url(url)
                return super().fetch(url, headers)

        return LocalOnlyFetcher()

    def fetcher(url, *args, **kwargs):  # older WeasyPrint: a plain function
        _check_local_url(url)
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetcher


# --- Rendering -----------------------------------------------------------------------------

def pdf_context(office, *, confidential: bool = False, title: str = "") -> dict:
    """The variables ``reports/pdf/base.html`` expects, for callers that render HTML only."""
    return {
        "office": office,
        "letterhead": letterhead_for(office),
        "confidential": confidential,
        "pdf_title": title,
        "font_faces_css": font_faces_css(),
        "page_counter_css": page_counter_css(),
        "printed_on": timezone.localdate(),
    }


def document_language(language: str | None = None):
    """Context manager: the language documents are written in (the site's default).

    Callers that prepare translated context values (a signer's title, the PDF title) do so
    inside it, so those match the document and not the language of the person printing.
    """
    return translation.override(language or settings.LANGUAGE_CODE)


def render_pdf_html(template_name: str, context: dict, *, office, request=None,
                    confidential: bool = False, title: str = "",
                    language: str | None = None) -> str:
    """The HTML that ``render_pdf`` hands to WeasyPrint (useful for previews and tests)."""
    with document_language(language):
        full_context = {
            "verification_url": "",
            **context,
            **pdf_context(office, confidential=confidential, title=title),
        }
        return render_to_string(template_name, full_context, request=request)


def render_pdf(template_name: str, context: dict, *, office, request=None,
               confidential: bool = False, title: str = "",
               language: str | None = None) -> bytes:
    """Render a template that extends ``reports/pdf/base.html`` to PDF bytes.

    ``context`` may carry ``verification_url`` (printed as text in the footer) until the
    verification QR code exists. ``confidential`` prints RAHASIA in the header and footer.
    """
    from weasyprint import HTML

    html = render_pdf_html(template_name, context, office=office, request=request,
                           confidential=confidential, title=title, language=language)
    document = HTML(string=html, base_url=str(settings.BASE_DIR),
                    url_fetcher=_make_url_fetcher())
    return document.write_pdf()

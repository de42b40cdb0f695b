"""The NIK (Nomor Induk Kependudukan), the 16-digit national identity number.

Layout: digits 1-6 the region where it was issued (PPKKCC: province, regency/city, district),
7-12 the birth date as DDMMYY with 40 added to the day for women, 13-16 a serial number.

A NIK that contradicts the recorded birth date, sex or region is usually a typing error, but not
always (a client may have moved since the card was issued, and old cards keep the code of a
region that has since been split), so contradictions are *warnings* the officer confirms, while
a NIK that cannot exist at all is an *error*.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class Nik:
    region: str  # "350901"
    day: int  # the real day of birth (the +40 for women removed)
    month: int
    year: int  # two digits: the century is not encoded
    sex: str  # "L" or "P", as Client.Sex
    serial: str

    @property
    def province_code(self) -> str:
        return self.region[:2]

    @property
    def regency_code(self) -> str:
        return self.region[:4]

    @property
    def district_code(self) -> str:
        return self.region[:6]

    def matches_birth_date(self, birth_date: date) -> bool:
        return (self.day, self.month, self.year) == (
            birth_date.day, birth_date.month, birth_date.year % 100
        )

    @property
    def birth_date_display(self) -> str:
        return f"{self.day:02d}-{self.month:02d}-{self.year:02d}"


class InvalidNik(ValueError):
    """The NIK cannot exist; ``str(error)`` is a translated message for the user."""


def clean_nik(value: str | None) -> str:
    """Strip the spaces, dots and dashes people type when copying from a card."""
    return re.sub(r"[\s.\-]", "", value or "")


def parse_nik(value: str) -> Nik:
    nik = clean_nik(value)
    if not re.fullmatch(r"\d{16}", nik):
        raise InvalidNik(_("A NIK has exactly 16 digits (you typed %(count)d characters).")
                         % {"count": len(nik)})
    if nik[:2] == "00":
        raise InvalidNik(_("The first two digits of a NIK are a province code and cannot be 00."))
    raw_day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if 1 <= raw_day <= 31:
        day, sex = raw_day, "L"
    elif FEMALE_DAY_OFFSET + 1 <= raw_day <= FEMALE_DAY_OFFSET + 31:
        day, sex = raw_day - FEMALE_DAY_OFFSET, "P"
    else:
        raise InvalidNik(
            _("Digits 7-8 of a NIK are the day of birth (01-31, or 41-71 for women); "
              "%(digits)s is not possible.") % {"digits": nik[6:8]}
        )
    if not 1 <= month <= 12:
        raise InvalidNik(
            _("Digits 9-10 of a NIK are the month of birth (01-12); %(digits)s is not possible.")
            % {"digits": nik[8:10]}
        )
    # 2000 is a leap year, so 29 February passes; the century itself is not in the NIK.
    if day > calendar.monthrange(2000, month)[1]:
        raise InvalidNik(
            _("Digits 7-10 of this NIK give the day %(day)02d-%(month)02d, which does not exist.")
            % {"day": day, "month": month}
        )
    return Nik(region=nik[:6], day=day, month=month, year=year, sex=sex, serial=nik[12:])


def _code(region) -> str:
    """A region model instance or a dotted code ("35.09.01") as bare digits ("350901")."""
    code = getattr(region, "code", region) or ""
    return str(code).replace(".", "")


def nik_warnings(
    nik: str | None,
    birth_date: date | None,
    sex: str | None,
    regency=None,
    district=None,
) -> list[str]:
    """Translated warnings where the NIK contradicts the record. [] if it agrees or is invalid.

    ``regency`` and ``district`` may be model instances or codes such as "35.09" and "35.09.01".
    """
    try:
        parsed = parse_nik(nik or "")
    except InvalidNik:
        return []  # the form reports an invalid NIK as an error of its own
    warnings = []
    if birth_date and not parsed.matches_birth_date(birth_date):
        warnings.append(
            _("The NIK gives the birth date %(nik_date)s, but the date of birth is "
              "%(record_date)s.")
            % {"nik_date": parsed.birth_date_display,
               "record_date": birth_date.strftime("%d-%m-%y")}
        )
    if sex and sex != parsed.sex:
        if parsed.sex == "P":
            warnings.append(_("The NIK is a woman's (40 is added to the day of birth), but the "
                              "sex is male."))
        else:
            warnings.append(_("The NIK is a man's (no 40 added to the day of birth), but the "
                              "sex is female."))
    regency_code, district_code = _code(regency), _code(district)
    if regency_code and parsed.regency_code != regency_code:
        warnings.append(
            _("The NIK was issued in region %(nik_region)s, but the address is in regency/city "
              "%(record_region)s. This is fine if the client has moved since the card was "
              "issued.")
            % {"nik_region": parsed.regency_code, "record_region": regency_code}
        )
    elif district_code and parsed.district_code != district_code:
        warnings.append(
            _("The NIK was issued in district %(nik_region)s, but the address is in district "
              "%(record_region)s. This is fine if the client has moved since the card was "
              "issued.")
            % {"nik_region": parsed.district_code, "record_region": district_code}
        )
    return warnings

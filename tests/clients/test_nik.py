"""Parsing the NIK and warning where it contradicts the client's record."""

from datetime import date

import pytest

from clients.nik import InvalidNik, clean_nik, nik_warnings, parse_nik

MAN = "3509011506900001"  # Jember, Kec. Jember Kidul region code, born 15-06-1990
WOMAN = "3509015506900002"  # same, day 15 + 40


def test_parses_region_birth_date_sex_and_serial():
    nik = parse_nik(MAN)
    assert (nik.region, nik.day, nik.month, nik.year, nik.sex, nik.serial) == (
        "350901", 15, 6, 90, "L", "0001"
    )
    assert (nik.province_code, nik.regency_code, nik.district_code) == ("35", "3509", "350901")


def test_women_have_forty_added_to_the_day():
    nik = parse_nik(WOMAN)
    assert (nik.day, nik.sex) == (15, "P")


def test_spaces_and_dots_typed_from_a_card_are_ignored():
    assert clean_nik("3509 0115 0690 0001") == MAN
    assert parse_nik("35.09.01.150690.0001").serial == "0001"


@pytest.mark.parametrize(
    "value",
    [
        "350901150690001",  # 15 digits
        "35090115069000011",  # 17 digits
        "35090115069O0001",  # a letter O
        "0009011506900001",  # province 00
        "3509013206900001",  # day 32
        "3509014006900001",  # day 40 (neither a man's nor a woman's day)
        "3509017206900001",  # day 72
        "3509010006900001",  # day 00
        "3509011513900001",  # month 13
        "3509011500900001",  # month 00
        "3509013102900001",  # 31 February
        "",
    ],
)
def test_impossible_niks_are_refused_with_a_message(value):
    with pytest.raises(InvalidNik) as error:
        parse_nik(value)
    assert str(error.value)


def test_29_february_is_possible():
    assert parse_nik("3509012902000001").day == 29


def test_no_warnings_when_the_nik_agrees_with_the_record():
    assert nik_warnings(MAN, date(1990, 6, 15), "L", regency="35.09", district="35.09.01") == []
    assert nik_warnings(WOMAN, date(1990, 6, 15), "P") == []


def test_warns_when_the_birth_date_differs():
    warnings = nik_warnings(MAN, date(1990, 6, 16), "L")
    assert len(warnings) == 1
    assert "15-06-90" in warnings[0]


def test_the_century_is_not_compared():
    assert nik_warnings("3509011506050001", date(2005, 6, 15), "L") == []


def test_warns_when_the_sex_differs():
    assert len(nik_warnings(WOMAN, date(1990, 6, 15), "L")) == 1
    assert len(nik_warnings(MAN, date(1990, 6, 15), "P")) == 1


def test_warns_about_the_regency_before_the_district():
    warnings = nik_warnings(MAN, date(1990, 6, 15), "L", regency="35.11", district="35.11.01")
    assert len(warnings) == 1
    assert "3511" in warnings[0] and "3509" in warnings[0]


def test_warns_when_only_the_district_differs():
    warnings = nik_warnings(MAN, date(1990, 6, 15), "L", regency="35.09", district="35.09.02")
    assert len(warnings) == 1
    assert "350902" in warnings[0]


def test_accepts_region_model_instances(db):
    from clients.models import District, Regency

    regency = Regency.objects.get(code="35.09")
    district = District.objects.filter(regency=regency).exclude(code="35.09.01").first()
    warnings = nik_warnings(MAN, date(1990, 6, 15), "L", regency=regency, district=district)
    assert len(warnings) == 1


def test_several_contradictions_give_several_warnings():
    warnings = nik_warnings(WOMAN, date(1991, 1, 1), "L", regency="35.10")
    assert len(warnings) == 3


def test_an_invalid_nik_gives_no_warnings():
    assert nik_warnings("123", date(1990, 6, 15), "L") == []
    assert nik_warnings(None, date(1990, 6, 15), "L") == []

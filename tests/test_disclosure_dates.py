"""Deadline arithmetic of the disclosure rules: school years, working days, periods."""

from __future__ import annotations

from datetime import date

import pytest
from edusite.disclosure.checker import required_periods
from edusite.disclosure.dates import (
    Period,
    add_working_days,
    clamp_date,
    parse_period,
    parse_school_year,
    previous_weekday,
    school_year_label,
    school_year_of,
    working_days_between,
)
from edusite.disclosure.model import Deadline
from edusite.disclosure.rules import load_rules

RULES = load_rules()
WEEKLY = Deadline(kind="weekly", weekday=5, weeks_before=1, lookback=3, months=(9, 10, 11, 12))
MONTHLY = Deadline(kind="monthly", day=25, months_before=1, lookback=2)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 8, 31), 2025),
        (date(2026, 9, 1), 2026),
        (date(2026, 11, 22), 2026),
        (date(2027, 1, 1), 2026),
        (date(2026, 12, 31), 2026),
    ],
)
def test_school_year_starts_on_first_of_september(day: date, year: int) -> None:
    assert school_year_of(day) == year


def test_school_year_text() -> None:
    assert school_year_label(2026) == "2026-2027"
    assert parse_school_year("2024-2025") == 2024
    for bad in ("2024-2026", "2024/2025", "24-25", "", None):
        with pytest.raises(ValueError):
            parse_school_year(bad)


def test_working_days_skip_the_weekend() -> None:
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 0) == friday
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # from a Saturday
    # 10 working days = two full weeks
    assert add_working_days(date(2026, 9, 15), 10) == date(2026, 9, 29)
    assert working_days_between(date(2026, 9, 15), date(2026, 9, 29)) == 10
    assert working_days_between(date(2026, 9, 15), date(2026, 10, 20)) == 25
    assert working_days_between(friday, date(2026, 11, 22)) == 0  # Sat + Sun only
    assert working_days_between(friday, friday) == 0


def test_working_days_honour_holidays() -> None:
    national_day = {date(2026, 9, 1), date(2026, 9, 2)}
    assert add_working_days(date(2026, 8, 31), 1, national_day) == date(2026, 9, 3)
    assert working_days_between(date(2026, 8, 28), date(2026, 9, 4), national_day) == 3


def test_working_days_across_29_february() -> None:
    friday = date(2028, 2, 25)
    assert add_working_days(friday, 2) == date(2028, 2, 29)
    assert add_working_days(friday, 3) == date(2028, 3, 1)
    assert working_days_between(friday, date(2028, 3, 10)) == 10


def test_previous_saturday() -> None:
    # week 48 of 2026 starts Monday 23/11; its menu is due Saturday 21/11
    assert previous_weekday(date(2026, 11, 23), 5) == date(2026, 11, 21)
    # any day of the week gives the same answer
    assert previous_weekday(date(2026, 11, 29), 5) == date(2026, 11, 21)
    # across the new year: ISO week 1 of 2027 starts Monday 04/01/2027
    assert WEEKLY.due_for_period(parse_period("weekly", "2027-W01")) == date(2027, 1, 2)
    # across 29/02/2028: the week starting Monday 06/03/2028 is due Saturday 04/03/2028
    assert WEEKLY.due_for_period(parse_period("weekly", "2028-03-08")) == date(2028, 3, 4)
    assert WEEKLY.due_for_period(parse_period("weekly", "2028-W10")) == date(2028, 3, 4)


def test_twenty_fifth_of_the_previous_month() -> None:
    assert MONTHLY.due_for_period(parse_period("monthly", "2026-11")) == date(2026, 10, 25)
    assert MONTHLY.due_for_period(parse_period("monthly", "2027-01")) == date(2026, 12, 25)
    assert MONTHLY.due_for_period(parse_period("monthly", "2028-03")) == date(2028, 2, 25)


def test_days_past_the_end_of_february_are_clamped() -> None:
    end_of_month = Deadline(kind="monthly", day=31, months_before=1)
    assert end_of_month.due_for_period(parse_period("monthly", "2028-03")) == date(2028, 2, 29)
    assert end_of_month.due_for_period(parse_period("monthly", "2027-03")) == date(2027, 2, 28)
    leap_day = Deadline(kind="yearly", month=2, day=29, year_offset=1)
    assert leap_day.due_for_year(2027) == date(2028, 2, 29)
    assert leap_day.due_for_year(2026) == date(2027, 2, 28)
    assert clamp_date(2100, 2, 29) == date(2100, 2, 28)  # 2100 is not a leap year


def test_yearly_and_annual_report_deadlines() -> None:
    yearly = Deadline(kind="yearly", month=6, day=30)
    assert yearly.due_for_year(2026) == date(2026, 6, 30)
    report = Deadline(kind="annual_report", month=6, day=30, report_year_offset=-1)
    assert report.report_year(2026) == 2025
    assert report.due_for_year(2026) == date(2026, 6, 30)  # report of 2025 before 30/06/2026


def test_periods_parse_and_label() -> None:
    assert parse_period("monthly", "2026-11") == Period("monthly", date(2026, 11, 1))
    week = parse_period("weekly", "2026-W47")
    assert week.start == date(2026, 11, 16)
    assert week.label == "2026-W47"
    assert week.text_vi == "tuần 47 (16/11 - 22/11/2026)"
    assert parse_period("weekly", "2026-11-18") == week  # any day of the week
    assert parse_period("weekly", date(2026, 11, 22)) == week
    assert parse_period("weekly", "2026-W53").start == date(2026, 12, 28)  # 2026 has 53 weeks
    assert parse_period("monthly", "2027-01").school_year == 2026
    assert parse_period("monthly", "2026-08").school_year == 2025
    for kind, bad in [
        ("weekly", "2025-W53"),
        ("weekly", "2026-11"),
        ("monthly", "2026-13"),
        ("monthly", "2026-W47"),
        ("monthly", "11/2026"),
    ]:
        with pytest.raises(ValueError):
            parse_period(kind, bad)


def test_required_periods_look_back_over_due_periods_only() -> None:
    sunday = date(2026, 11, 22)
    assert [p.label for p in required_periods(WEEKLY, sunday, RULES)] == [
        "2026-W48",
        "2026-W47",
        "2026-W46",
    ]
    # on the Saturday deadline itself week 48 is not yet late (deadlines are inclusive)
    assert [p.label for p in required_periods(WEEKLY, date(2026, 11, 21), RULES)] == [
        "2026-W47",
        "2026-W46",
        "2026-W45",
    ]
    assert [p.label for p in required_periods(MONTHLY, sunday, RULES)] == ["2026-11", "2026-10"]
    assert [p.label for p in required_periods(MONTHLY, date(2026, 11, 26), RULES)] == [
        "2026-12",
        "2026-11",
    ]
    # the summer months are outside the weekly deadline's months: nothing is required
    assert required_periods(WEEKLY, date(2026, 7, 15), RULES) == []
    # early September: only September weeks count
    assert [p.label for p in required_periods(WEEKLY, date(2026, 9, 6), RULES)] == ["2026-W37"]

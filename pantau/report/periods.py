"""Report periods: a month, quarter, semester, year or dates, their predecessor and instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTH, QUARTER, SEMESTER, YEAR, DAYS = "month", "quarter", "semester", "year", "days"

_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
_ROMAN = ("I", "II", "III", "IV")


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days from `first` to `last`, both included."""

    kind: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before (for dates: as many days just before)."""
        if self.kind == DAYS:
            last = self.first - timedelta(days=1)
            return Period(DAYS, last - timedelta(days=self.days - 1), last)
        months = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}[self.kind]
        return _months(self.kind, _add_months(self.first, -months), months)

    def bounds(self, zone: ZoneInfo) -> tuple[float, float]:
        """The instants of the local midnight that starts it and of the one that ends it."""
        start = datetime(self.first.year, self.first.month, self.first.day, tzinfo=zone)
        end = self.last + timedelta(days=1)
        return start.timestamp(), datetime(end.year, end.month, end.day, tzinfo=zone).timestamp()

    def slug(self) -> str:
        """For file names: 2026-11, 2026-q4, 2026-s2, 2026, 2026-11-01_2026-11-15."""
        y = self.first.year
        if self.kind == MONTH:
            return f"{y}-{self.first.month:02d}"
        if self.kind == QUARTER:
            return f"{y}-q{(self.first.month - 1) // 3 + 1}"
        if self.kind == SEMESTER:
            return f"{y}-s{(self.first.month - 1) // 6 + 1}"
        if self.kind == YEAR:
            return str(y)
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    def label(self, lang: str) -> str:
        """The period as a reader names it: November 2026, Triwulan IV 2026, ..."""
        y, m = self.first.year, self.first.month
        if self.kind == MONTH:
            return f"{_MONTHS[lang][m - 1]} {y}"
        if self.kind == QUARTER:
            q = (m - 1) // 3
            return f"Triwulan {_ROMAN[q]} {y}" if lang == "id" else f"Q{q + 1} {y}"
        if self.kind == SEMESTER:
            s = (m - 1) // 6
            return f"Semester {_ROMAN[s]} {y}" if lang == "id" else f"H{s + 1} {y}"
        if self.kind == YEAR:
            return f"{'Tahun' if lang == 'id' else 'Year'} {y}"
        if self.first == self.last:
            return day_label(self.first, lang)
        return f"{day_label(self.first, lang)} \u2013 {day_label(self.last, lang)}"


def day_label(day: date, lang: str) -> str:
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(kind: str, first: date, months: int) -> Period:
    return Period(kind, first, _add_months(first, months) - timedelta(days=1))


_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{2})"), MONTH),
    (re.compile(r"(\d{4})-[Qq]([1-4])"), QUARTER),
    (re.compile(r"(\d{4})-[SsHh]([12])"), SEMESTER),
    (re.compile(r"(\d{4})"), YEAR),
)
PERIOD_HELP = "2026-11 (a month), 2026-Q4 (a quarter), 2026-S2 (a semester) or 2026 (a year)"


def parse_period(text: str) -> Period:
    """A month YYYY-MM, a quarter YYYY-Qn, a semester YYYY-Sn (or -Hn) or a year YYYY."""
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(text.strip())
        if match is None:
            continue
        year, n = int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1
        if year < 1970:
            break
        if kind == MONTH and not 1 <= n <= 12:
            raise PeriodError(f"{text!r}: there is no month {n}")
        months = {MONTH: 1, QUARTER: 3, SEMESTER: 6, YEAR: 12}[kind]
        first = date(year, 1 + (n - 1) * months if kind != MONTH else n, 1)
        return _months(kind, first, months)
    raise PeriodError(f"{text!r} is not a period: give {PERIOD_HELP}")


def parse_days(first: str, last: str) -> Period:
    """From and to dates YYYY-MM-DD, both included."""
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        bad = first if not _is_date(first) else last
        raise PeriodError(f"{bad!r} is not a date YYYY-MM-DD") from None
    if b < a:
        raise PeriodError(f"--to {last} is before --from {first}")
    return Period(DAYS, a, b)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True

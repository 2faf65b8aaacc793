"""One office's report: the figures of a period and the previous one, the source and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .figures import Figures
from .periods import Period, day_label
from .texts import Context, T, summary

Note = tuple[str, dict[str, Any]]  # a key of texts.T and its values (words come at the end)


@dataclass(frozen=True, slots=True)
class Report:
    office: str
    office_name: str
    zone: str  # IANA name
    period: Period
    previous_period: Period
    current: Figures
    previous: Figures
    has_previous: bool  # any data for the previous period
    source: Note
    notes: tuple[Note, ...]
    made: datetime

    def summary(self, lang: str) -> list[str]:
        return summary(Context(self.current, self.previous, self.has_previous, self.period), lang)

    def word(self, note: Note, lang: str) -> str:
        key, values = note
        return T[lang][key].format(**{k: _word(v, lang) for k, v in values.items()})


def _word(value: Any, lang: str) -> str:
    if isinstance(value, Period):
        return value.label(lang)
    if isinstance(value, datetime):
        return f"{day_label(value.date(), lang)} {value:%H:%M}"
    if isinstance(value, tuple) and len(value) == 2 and value[0] in T[lang]:
        return T[lang][value[0]].format(**value[1])
    return str(value)

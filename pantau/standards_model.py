"""The standards file of CONTRACT §3 as pydantic models: the source of its JSON Schema.

`pantau.standards` reads the file (its messages name the path and the reason); these models
describe the same file for editors and vendors, and a test checks that both accept and
reject the same files.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field
from typing_extensions import TypedDict

from pantau.events import ID_PATTERN

_DAY = "(?:mon|tue|wed|thu|fri|sat|sun)"
DAY_KEY_PATTERN = f"^{_DAY}(?:-{_DAY})?$"
_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
RANGE_PATTERN = f"^{_CLOCK}-(?:{_CLOCK}|24:00)$"
# h, m and s in that order, at least one of them, and not all zero
DURATION_PATTERN = "^(?=[0-9hms]*[1-9])(?=[0-9])(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?$"

Id = Annotated[str, Field(pattern=ID_PATTERN)]
Duration = Annotated[
    Annotated[str, Field(pattern=DURATION_PATTERN)] | Annotated[float, Field(gt=0)],
    Field(
        description="A duration: 90s, 15m, 1h30m (h, m and s in that order), or a positive "
        "number of seconds."
    ),
]
Share = Annotated[float, Field(ge=0, le=1)]
WarnShare = Annotated[float, Field(gt=0, lt=1)]
Range = Annotated[
    str,
    Field(
        pattern=RANGE_PATTERN,
        description='Half-open "HH:MM-HH:MM" in the office\'s time zone, the start before the '
        "end; 24:00 may end a range.",
    ),
]
DayKey = Annotated[
    str,
    Field(
        pattern=DAY_KEY_PATTERN,
        description="A day (mon … sun) or a range of days a-b with a before b (mon-fri).",
    ),
]
DayHours = Annotated[
    Range | Annotated[list[Range], Field(min_length=1)],
    Field(description="One range, or a list of ranges that do not overlap."),
]
TimeZone = Annotated[
    str, Field(description="An IANA time zone name such as Asia/Jakarta, not an offset.")
]


_CONFIG = ConfigDict(extra="forbid", regex_engine="python-re")  # the patterns look ahead


class Values(TypedDict, total=False):
    """Values one level of the file sets; a missing one falls back to the next level."""

    __pydantic_config__ = _CONFIG  # type: ignore[misc]

    max_wait: Annotated[Duration, Field(description="Longest wait (default 30m).")]
    max_processing: Annotated[Duration, Field(description="Longest service (default 15m).")]
    target: Annotated[Share, Field(description="Share of visits to meet them (default 0.90).")]
    warn_at: Annotated[
        WarnShare,
        Field(description="Share of max_wait after which a citizen is near it (default 0.8)."),
    ]


class Service(Values, total=False):
    """One service of an office and its standard."""

    name: str | None


class Office(TypedDict, total=False):
    """One office: its name, time zone, opening hours and the standards of its services."""

    __pydantic_config__ = _CONFIG  # type: ignore[misc]

    name: str | None
    timezone: Annotated[TimeZone | None, Field(description="Else the file's, else UTC.")]
    hours: Annotated[
        dict[DayKey, DayHours] | None,
        Field(
            description="Opening hours; a day not listed is closed, {} is never open, a day "
            "may appear once; null is the same as not given."
        ),
    ]
    defaults: Values | None
    services: dict[Id, Service] | None


class StandardsFile(TypedDict, total=False):
    """A pantau service standards file (standar pelayanan), CONTRACT §3."""

    __pydantic_config__ = _CONFIG  # type: ignore[misc]

    timezone: Annotated[TimeZone | None, Field(description="For calendar views and opening hours.")]
    defaults: Values | None
    offices: dict[Id, Office] | None

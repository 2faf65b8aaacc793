"""The SKM index (Permenpan RB 14/2017, CONTRACT §4), its category and the minimum sample."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

ELEMENTS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")

# Krejcie & Morgan (1970): chi-square for 1 degree of freedom at 95 %, the population
# proportion that gives the largest sample, and the margin of error.
CHI_SQUARE = 3.841
PROPORTION = 0.5
MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Category:
    """A quality category of the index: its letter and the lowest index (two decimals) in it."""

    letter: str
    lowest: Decimal


# CONTRACT §4: A 88.31 to 100, B 76.61 to 88.30, C 65.00 to 76.60, D 25.00 to 64.99
CATEGORIES = (
    Category("A", Decimal("88.31")),
    Category("B", Decimal("76.61")),
    Category("C", Decimal("65.00")),
    Category("D", Decimal("25.00")),
)


def nrr(points: float, answers: float) -> Fraction | None:
    """The element's mean score (nilai rata-rata): points ÷ answers, None without answers."""
    if answers <= 0:
        return None
    return Fraction(points) / Fraction(answers)


def exact_index(points: Mapping[str, float], answers: Mapping[str, float]) -> Fraction | None:
    """The mean over the answered elements of NRR x 25, exactly (each element weighs the
    same: 1/9 when all nine are answered); None when no element is answered."""
    values = [v for e in ELEMENTS if (v := nrr(points.get(e, 0), answers.get(e, 0))) is not None]
    if not values:
        return None
    return sum(values, Fraction(0)) / len(values) * 25


def two_decimals(value: Fraction) -> Decimal:
    """Rounded half up to two decimals (88.305 -> 88.31), from the exact value."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def index(points: Mapping[str, float], answers: Mapping[str, float]) -> Decimal | None:
    """The satisfaction index (IKM) as published: two decimals; None without answers."""
    exact = exact_index(points, answers)
    return None if exact is None else two_decimals(exact)


def category(value: Decimal) -> str:
    """The letter A to D of an index given with two decimals (the ranges leave no gaps then)."""
    for cat in CATEGORIES:
        if value >= cat.lowest:
            return cat.letter
    return "D"  # below 25.00 cannot come from scores 1 to 4


LARGE_POPULATION = 100_000  # from here the published table gives 384 (the formula: 383)
LARGE_SAMPLE = 384


def minimum_sample(population: int) -> int:
    """Krejcie and Morgan's sample size for a population of N:
    s = X2 N P (1 - P) / (d^2 (N - 1) + X2 P (1 - P)), rounded to the nearest whole respondent.

    This gives every value of their published Table 1 but one: for N = 100,000 the table
    says 384 (the sample of an unlimited population, X2 P (1 - P) / d^2 = 384.1) where the
    formula gives 382.6; from N = 100,000 on the table's 384 is used.
    """
    if population <= 0:
        return 0
    if population >= LARGE_POPULATION:
        return LARGE_SAMPLE
    n = float(population)
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    s = n * spread / (MARGIN**2 * (n - 1) + spread)
    return min(population, math.floor(s + 0.5))

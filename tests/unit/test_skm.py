"""The SKM index, its category and the Krejcie and Morgan minimum sample (pantau.report.skm)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from pantau.report import skm

ALL = skm.ELEMENTS


def same(points: int, answers: int, elements: tuple[str, ...] = ALL) -> tuple[dict, dict]:
    return {e: points for e in elements}, {e: answers for e in elements}


@pytest.mark.parametrize(
    ("points", "answers", "index", "category"),
    [
        # NRR = points / answers; index = NRR x 25, two decimals, half up
        (4, 1, "100.00", "A"),
        (1, 1, "25.00", "D"),
        (35324, 10000, "88.31", "A"),  # 88.31 exactly
        (35322, 10000, "88.31", "A"),  # 88.305 rounds up into A
        (353219, 100000, "88.30", "B"),  # 88.30475 rounds down: B
        (3532, 1000, "88.30", "B"),
        (30644, 10000, "76.61", "B"),
        (3064, 1000, "76.60", "C"),
        (26, 10, "65.00", "C"),
        (25996, 10000, "64.99", "D"),
        (259998, 100000, "65.00", "C"),  # 64.9995 rounds up into C
        (2, 1, "50.00", "D"),
    ],
)
def test_index_and_category(points: int, answers: int, index: str, category: str) -> None:
    p, a = same(points, answers)
    value = skm.index(p, a)
    assert value == Decimal(index)
    assert str(value) == index  # shown with two decimals
    assert skm.category(value) == category


@pytest.mark.parametrize(
    ("value", "category"),
    [("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"),
     ("65.00", "C"), ("64.99", "D"), ("25.00", "D")],
)  # fmt: skip
def test_category_boundaries(value: str, category: str) -> None:
    assert skm.category(Decimal(value)) == category


def test_the_weights_are_one_ninth_exactly_not_0_111() -> None:
    points = {e: 4 for e in ALL}
    answers = {e: 1 for e in ALL}
    assert skm.exact_index(points, answers) == 100  # 9 x 4 x 0.111 x 25 would be 99.90
    # U1..U8 at 4, U9 at 3: (8 x 4 + 3) / 9 x 25 = 97.2222...
    points["u9"] = 3
    assert skm.exact_index(points, answers) == Fraction(35, 9) * 25
    assert skm.index(points, answers) == Decimal("97.22")


def test_elements_missing_are_left_out_of_the_mean() -> None:
    # only U1 (NRR 3) and U5 (NRR 4) answered: (3 + 4) / 2 x 25
    points = {"u1": 30, "u5": 20}
    answers = {"u1": 10, "u5": 5, "u7": 0}
    assert skm.index(points, answers) == Decimal("87.50")
    assert skm.category(Decimal("87.50")) == "B"


def test_one_respondent() -> None:
    scores = {"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3}
    answers = dict.fromkeys(scores, 1)
    # (4+3+3+4+3+4+4+2+3) / 9 x 25 = 30 / 9 x 25 = 83.333...
    assert skm.index(scores, answers) == Decimal("83.33")
    assert skm.category(Decimal("83.33")) == "B"


def test_no_answers_has_no_index() -> None:
    assert skm.index({}, {}) is None
    assert skm.index({"u1": 0}, {"u1": 0}) is None
    assert skm.nrr(0, 0) is None


# Krejcie, R. V. & Morgan, D. W. (1970). Determining Sample Size for Research Activities.
# Educational and Psychological Measurement, 30, 607-610: Table 1, population N -> sample S
# (chi-square 3.841, P = 0.5, d = 0.05).
KREJCIE_MORGAN_1970 = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48, 60: 52,
    65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86, 120: 92,
    130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127, 200: 132, 210: 136,
    220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159, 280: 162, 290: 165, 300: 169,
    320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201, 440: 205, 460: 210, 480: 214,
    500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260, 850: 265, 900: 269,
    950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310,
    1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338,
    3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 100000: 384, 1000000: 384,
}  # fmt: skip


@pytest.mark.parametrize(("population", "sample"), sorted(KREJCIE_MORGAN_1970.items()))
def test_krejcie_morgan_table(population: int, sample: int) -> None:
    assert skm.minimum_sample(population) == sample


@pytest.mark.parametrize(("population", "sample"), [(0, 0), (1, 1), (2, 2), (5, 5)])
def test_small_populations(population: int, sample: int) -> None:
    assert skm.minimum_sample(population) == sample

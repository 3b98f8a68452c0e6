"""Funnel plots for comparing units (hubs) on one measure, as FunnelPlotR computes them.

Spiegelhalter (2005), "Funnel plots for comparing institutional performance", with the
additive random-effects overdispersion adjustment of Spiegelhalter et al. (2012) (a
DerSimonian–Laird estimate of the between-unit variance τ²), exactly as the NHS-R
Community's FunnelPlotR 0.6.0 implements them in ``funnel_plot`` (its R sources:
``od_adjustment.R``, ``calculate_limits.R``, ``build_limits_lookup.R``, ``funnel_plot.R``).
Each step below names the R function it follows; results match FunnelPlotR's to 1e-6
(``tests/evaluation/test_funnel.py`` holds cases worked from its formulas).

- ``data_type="PR"``: proportions, numerator / denominator; arcsine square-root scale;
  the target is the pooled proportion sum(numerators) / sum(denominators).
- ``data_type="SR"``: indirectly standardised ratios, observed / expected; the target is 1.
  ``sr_method="SHMI"`` (NHS Digital's SHMI): log scale, the expected values rounded to
  2 decimal places first, the outer ``trim_by`` of z-scores at each end truncated (left
  out) before overdispersion is estimated. ``sr_method="CQC"``: square-root scale,
  winsorised. Without overdispersion, SR limits are exact Poisson limits (chi-square
  quantiles, computed here by ``_gamma_quantile``).
- ``data_type="RC"``: ratios of counts; log scale with 0.5 added to each count; the target
  is sum(numerators) / sum(denominators).

Overdispersion (FunnelPlotR's ``draw_adjusted=TRUE``): z-scores on the transformed scale
are winsorised (or, for SHMI, truncated) by ``trim_by`` at each end; φ is the mean of
their squares; τ² = (nφ − (n − 1)) / (Σw − Σw²/Σw), w = 1/s², and 0 when nφ < n − 1.
The limits widen by τ² only when φ > 1: at φ ≤ 1 FunnelPlotR draws the unadjusted
limits (and still reports φ and τ²), as this module does. With ``draw_adjusted=False``
the limits are the unadjusted ones (FunnelPlotR's ``draw_unadjusted=TRUE``) and φ and
τ² are reported as 0, as FunnelPlotR reports them.

FunnelPlotR's limits for proportions are sin² of the transformed limit, which is not
monotonic where the transformed limit passes below 0 (or above π/2); it sets such a limit
to 0 (or 1) where it is higher (lower) than the limit at the next denominator of its
lookup table (1,000 denominators from 3 to the largest, plus the data's own). This module
builds the same table, so its limits agree there too, quirks included: the largest
denominator has no next row and keeps its uncorrected limit.

Pure Python, no Django: the funnel page (``evaluation.views.funnel``) passes numbers in.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Real
from statistics import NormalDist
from typing import NamedTuple

DATA_TYPES = ("PR", "SR", "RC")
SR_METHODS = ("SHMI", "CQC")
# FunnelPlotR's own constants for the 95% and 99.8% limits (qnorm(0.975) and qnorm(0.999),
# rounded to 6 decimals): the exact quantiles would move limits by up to about 1e-7.
Z_95 = 1.959964
Z_998 = 3.090232
# The most units and the largest number a funnel takes: a national comparison of GP
# practices has about 6,500 units; a PositiveIntegerField count is at most 2,147,483,647.
MAX_UNITS = 10_000
MAX_NUMBER = 1e12
MAX_TRIM = 0.5
# FunnelPlotR's lookup table for proportions: 1,000 denominators from 3 to the largest.
LOOKUP_POINTS = 1000
LOOKUP_START = 3.0

FLAG_HIGH_998 = "high_998"
FLAG_HIGH_95 = "high_95"
FLAG_LOW_95 = "low_95"
FLAG_LOW_998 = "low_998"
FLAGS = (FLAG_HIGH_998, FLAG_HIGH_95, FLAG_LOW_95, FLAG_LOW_998)


class Limits(NamedTuple):
    """The funnel's limits at one denominator, on the scale of the values (a proportion, a ratio)."""

    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@dataclass(frozen=True)
class FunnelPoint:
    """One unit on the funnel.

    ``denominator`` is the one the limits are read at (for SHMI, rounded to 2 places, as
    FunnelPlotR rounds it); ``value`` is numerator / denominator as given (FunnelPlotR's
    ``rr``). ``z`` is the unit's z-score on the transformed scale against the limits in
    use: (Y − target) / √(s² + τ²) when adjusted for overdispersion, else FunnelPlotR's
    unadjusted ``Uzscore``. ``flag`` compares ``value`` with ``limits`` (inside when on
    a limit, as FunnelPlotR counts outliers): None, "high_95", "low_95", "high_998" or
    "low_998", the 99.8% flags taking precedence. For SR without overdispersion the
    limits are exact Poisson limits while ``z`` is on the log (or square-root) scale,
    and for CQC the limits are not transformed back, so there ``z`` and ``flag`` can
    disagree near a limit: the flag is FunnelPlotR's.
    """

    numerator: float
    denominator: float
    value: float
    z: float
    flag: str | None
    limits: Limits


@dataclass(frozen=True)
class FunnelResult:
    """A funnel: its target, the overdispersion found (and whether the limits use it), and its points.

    ``phi`` and ``tau2`` are as FunnelPlotR reports them; ``draw_adjusted`` says whether
    the limits were widened by ``tau2`` (only when asked for and φ > 1).
    """

    data_type: str
    sr_method: str
    target: float
    phi: float
    tau2: float
    draw_adjusted: bool
    points: tuple[FunnelPoint, ...]
    _lookup: tuple[float, ...] = field(repr=False, compare=False, default=())

    def limits_at(self, denominator) -> Limits:
        """(lower_95, upper_95, lower_998, upper_998) at a denominator: the limits in use.

        At the data's denominators and FunnelPlotR's lookup-table denominators these are
        FunnelPlotR's values; elsewhere they are computed the same way.
        """
        x = _checked_number(denominator, "The denominator")
        if x <= 0:
            raise ValueError(f"The denominator must be more than zero (it is {x:g}).")
        return _limits(
            x,
            data_type=self.data_type,
            sr_method=self.sr_method,
            target=self.target,
            tau2=self.tau2 if self.draw_adjusted else 0.0,
            adjusted=self.draw_adjusted,
            next_x=_next_in_lookup(self._lookup, x),
        )

    def curve(self, until: float, points: int = 150) -> list[tuple[float, Limits]]:
        """The limits to draw, from where FunnelPlotR starts them (3; 1.1 for ratios) to ``until``.

        For proportions, along FunnelPlotR's own lookup denominators (so the limits drawn
        are its limits exactly), about ``points`` of them, closer together at the start where
        the funnel bends most, then on at the same spacing past the table's end.
        """
        start = 1.1 if self.data_type == "SR" else LOOKUP_START
        end = max(_checked_number(until, "until"), start)
        spread = [(i / (points - 1)) ** 2 for i in range(points)]  # 0 to 1, bunched near 0
        table = [x for x in self._lookup if x >= start]
        if table:
            xs = sorted({table[round(share * (len(table) - 1))] for share in spread})
            step = (table[-1] - table[0]) / points or 1.0
            xs += [table[-1] + step * i for i in range(1, math.ceil((end - table[-1]) / step) + 1)]
        else:
            xs = [start + (end - start) * share for share in spread]
        return [(x, self.limits_at(x)) for x in xs]

    def count(self, flag: str) -> int:
        """How many points carry ``flag``."""
        return sum(1 for point in self.points if point.flag == flag)


def funnel(
    numerators: Sequence,
    denominators: Sequence,
    *,
    data_type: str = "PR",
    draw_adjusted: bool = True,
    sr_method: str = "SHMI",
    trim_by: float = 0.1,
) -> FunnelResult:
    """The funnel of these units: one numerator and one denominator each (already summed per unit).

    Raises ValueError, saying what is wrong, for inputs FunnelPlotR would choke on or
    silently turn into NaN: lengths that differ, fewer than 2 or more than ``MAX_UNITS``
    units, numbers that are not finite, negative or larger than ``MAX_NUMBER``, a
    denominator of zero, a proportion above 1, an unknown ``data_type`` or ``sr_method``,
    ``trim_by`` outside [0, 0.5), or too few units left after trimming to estimate
    the overdispersion asked for.
    """
    data_type, sr_method, trim_by = _checked_options(data_type, sr_method, trim_by, draw_adjusted)
    numbers, counts = _checked_units(numerators, denominators, data_type)
    shmi = data_type == "SR" and sr_method == "SHMI"
    # funnel_plot.R: SHMI rounds the expected values to 2 places (SHMI_rounding = TRUE).
    at = [_r_round(d, 2) for d in counts] if shmi else list(counts)
    if shmi and min(at) <= 0:
        raise ValueError(
            "An expected value below 0.005 rounds to 0, and SHMI rounds them to 2 decimal places."
        )
    values = [n / d for n, d in zip(numbers, counts, strict=True)]  # rr, from the denominators as given
    target = 1.0 if data_type == "SR" else sum(numbers) / sum(at)

    ys, ses, target_t = _transformed(numbers, at, data_type, sr_method, target)
    if shmi:
        z_unadjusted = [math.sqrt(d) * _log(n / d) for n, d in zip(numbers, at, strict=True)]
    else:
        z_unadjusted = [(y - target_t) / s for y, s in zip(ys, ses, strict=True)]
    kept = _truncated(z_unadjusted, trim_by) if shmi else _winsorised(z_unadjusted, trim_by)
    used = [(z, s) for z, s in zip(kept, ses, strict=True) if z is not None]
    if data_type == "RC" and target == 0:
        raise ValueError("Every numerator is 0: a ratio of counts has no target to compare with (log of 0).")
    if draw_adjusted:
        if len(used) < 2:
            raise ValueError(
                f"Only {len(used)} unit(s) remain after trimming {trim_by:g} at each end: "
                "overdispersion needs at least 2. Use a smaller trim_by."
            )
        phi = _phi([z for z, _ in used])
        tau2 = _tau2(len(used), phi, [s for _, s in used])
        if not math.isfinite(phi):
            raise ValueError(
                "An observed count of 0 is infinitely far from the target on SHMI's log scale and was not "
                "trimmed, so overdispersion cannot be estimated: use sr_method='CQC', or more units."
            )
    else:
        phi, tau2 = 0.0, 0.0
    adjusted = draw_adjusted and phi > 1

    lookup = _lookup_table(at) if data_type == "PR" else []
    points = []
    for n, d, value, y, s, z0 in zip(numbers, at, values, ys, ses, z_unadjusted, strict=True):
        limits = _limits(
            d,
            data_type=data_type,
            sr_method=sr_method,
            target=target,
            tau2=tau2 if adjusted else 0.0,
            adjusted=adjusted,
            next_x=_next_in_lookup(lookup, d),
        )
        z = (y - target_t) / math.sqrt(s * s + tau2) if adjusted else z0
        points.append(FunnelPoint(n, d, value, z, _flag(value, limits), limits))
    return FunnelResult(data_type, sr_method, target, phi, tau2, adjusted, tuple(points), tuple(lookup))


# -- Checking the inputs


def _checked_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"{name} must be a number, not {type(value).__name__}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number (it is {number}).")
    if abs(number) > MAX_NUMBER:
        raise ValueError(f"{name} is too large: the most a funnel takes is {MAX_NUMBER:,.0f}.")
    return number


def _checked_options(data_type, sr_method, trim_by, draw_adjusted) -> tuple[str, str, float]:
    if data_type not in DATA_TYPES:
        raise ValueError(f"data_type must be one of {', '.join(DATA_TYPES)} (it is {data_type!r}).")
    if sr_method not in SR_METHODS:
        raise ValueError(f"sr_method must be one of {', '.join(SR_METHODS)} (it is {sr_method!r}).")
    if not isinstance(draw_adjusted, bool):
        raise ValueError("draw_adjusted must be True or False.")
    trim = _checked_number(trim_by, "trim_by")
    if not 0 <= trim < MAX_TRIM:
        raise ValueError(f"trim_by must be at least 0 and less than {MAX_TRIM} (it is {trim:g}).")
    if data_type == "SR" and sr_method == "SHMI" and trim == 0:
        raise ValueError(
            "SHMI truncates the outer trim_by of z-scores at each end: trim_by must be more than 0."
        )
    return data_type, sr_method, trim


def _checked_units(numerators, denominators, data_type) -> tuple[list[float], list[float]]:
    try:
        count, other = len(numerators), len(denominators)
    except TypeError:
        raise ValueError("Numerators and denominators must be sequences of numbers.") from None
    if count != other:
        raise ValueError(f"{count} numerators but {other} denominators: give one of each per unit.")
    if count < 2:
        raise ValueError(f"A funnel compares at least 2 units ({count} given).")
    if count > MAX_UNITS:
        raise ValueError(f"A funnel takes at most {MAX_UNITS:,} units ({count:,} given).")
    numbers, counts = [], []
    for position, (numerator, denominator) in enumerate(zip(numerators, denominators, strict=True), start=1):
        n = _checked_number(numerator, f"Numerator {position}")
        d = _checked_number(denominator, f"Denominator {position}")
        if n < 0:
            raise ValueError(f"Numerator {position} is negative ({n:g}): counts cannot be.")
        if d <= 0:
            raise ValueError(f"Denominator {position} is {d:g}: a denominator must be more than zero.")
        if data_type == "PR" and n > d:
            raise ValueError(
                f"Numerator {position} ({n:g}) is more than its denominator ({d:g}): not a proportion."
            )
        numbers.append(n)
        counts.append(d)
    return numbers, counts


# -- Transformation, trimming and overdispersion (od_adjustment.R)


def _r_round(x: float, digits: int) -> float:
    """R's round(x, digits) for x > 0 (R 4), which Python's round() does not always agree with.

    R takes the nearer of the two neighbouring multiples of 10^-digits as measured in
    doubles, and the even one on a tie: round(335.455, 2) is 335.46 in R, 335.45 in Python.
    """
    if math.log10(2) * (0.5 + math.frexp(x)[1] - 1) + digits > 15:
        return x  # more digits than a double holds: nothing to round
    scale = 10.0**digits
    scaled = scale * x
    down, up = math.floor(scaled) / scale, math.ceil(scaled) / scale
    above, below = up - x, x - down
    return up if above < below or (above == below and math.fmod(math.floor(scaled), 2) == 1) else down


def _log(x: float) -> float:
    """log as R has it: log(0) is -Inf (an SHMI unit with nothing observed)."""
    return math.log(x) if x > 0 else -math.inf


def _transformed(numbers, at, data_type, sr_method, target) -> tuple[list[float], list[float], float]:
    """Each unit's transformed value Y and its standard error s, and the target on that scale."""
    if data_type == "PR":
        ys = [math.asin(math.sqrt(n / d)) for n, d in zip(numbers, at, strict=True)]
        return ys, [1 / (2 * math.sqrt(d)) for d in at], math.asin(math.sqrt(target))
    if data_type == "RC":
        ys = [math.log((n + 0.5) / (d + 0.5)) for n, d in zip(numbers, at, strict=True)]
        ses = [math.sqrt(n / (n + 0.5) ** 2 + d / (d + 0.5) ** 2) for n, d in zip(numbers, at, strict=True)]
        return ys, ses, _log(target)
    if sr_method == "SHMI":
        return [_log(n / d) for n, d in zip(numbers, at, strict=True)], [1 / math.sqrt(d) for d in at], 0.0
    return (
        [math.sqrt(n / d) for n, d in zip(numbers, at, strict=True)],
        [1 / (2 * math.sqrt(d)) for d in at],
        1.0,
    )


def _quantile7(values: Sequence[float], probability: float) -> float:
    """R's quantile(type = 7), with its own interpolation formula."""
    ordered = sorted(values)
    index = 1 + (len(ordered) - 1) * probability
    lo, hi = math.floor(index), math.ceil(index)
    low, high = ordered[lo - 1], ordered[hi - 1]
    if index > lo and high != low:
        h = index - lo
        return (1 - h) * low + h * high
    return low


def _winsorised(zs: Sequence[float], trim_by: float) -> list[float]:
    """winsorisation(): z-scores beyond the trim_by and 1 − trim_by quantiles pulled in to them."""
    lower, upper = _quantile7(zs, trim_by), _quantile7(zs, 1 - trim_by)
    return [lower if z < lower else upper if z > upper else z for z in zs]


def _average_ranks(values: Sequence[float]) -> list[float]:
    """rank(ties.method = "average")."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end + 2) / 2
        start = end + 1
    return ranks


def _truncated(zs: Sequence[float], trim_by: float) -> list[float | None]:
    """truncation() (SHMI): z-scores in the outer trim_by at each end, by rank, left out (None)."""
    k = 1 / trim_by
    max_k, min_k = k - 1, 0.0
    ranks = _average_ranks(zs)
    kept = []
    for z, rank in zip(zs, ranks, strict=True):
        group = math.floor(rank * k / (len(zs) + 1))
        kept.append(z if min_k < group < max_k else None)
    return kept


def _phi(zs: Sequence[float]) -> float:
    """phi_func(): the dispersion ratio, the mean of the squared (trimmed) z-scores."""
    return sum(z * z for z in zs) / len(zs)


def _tau2(n: int, phi: float, ses: Sequence[float]) -> float:
    """tau_func(): the between-unit variance τ² (DerSimonian–Laird), 0 when nφ < n − 1."""
    if n * phi < n - 1:
        return 0.0
    weights = [1 / (s * s) for s in ses]
    total = sum(weights)
    return max(0.0, (n * phi - (n - 1)) / (total - sum(w * w for w in weights) / total))


# -- Limits (calculate_limits.R, build_limits_lookup.R)


def _lookup_table(at: Sequence[float]) -> list[float]:
    """FunnelPlotR's lookup denominators for proportions: seq(3, ceiling(max), length.out = 1000) and the data's."""
    start, end = LOOKUP_START, float(math.ceil(max(at)))
    if start == end:
        grid = [start]
    else:
        step = (end - start) / (LOOKUP_POINTS - 1)
        grid = [start, *(start + i * step for i in range(1, LOOKUP_POINTS - 1)), end]
    return sorted(set(grid) | set(at))


def _next_in_lookup(lookup: Sequence[float], x: float) -> float | None:
    """The next denominator of the lookup table above ``x``, whose limits PR's correction compares with.

    Past the table's end, one more step of the table's spacing (FunnelPlotR has no row there).
    """
    if not lookup:
        return None
    position = bisect.bisect_right(lookup, x)
    if position < len(lookup):
        return lookup[position]
    if x == lookup[-1]:
        return None  # FunnelPlotR's last row: not corrected
    return x + ((lookup[-1] - lookup[0]) / (LOOKUP_POINTS - 1) or 1.0)


def _limits(x, *, data_type, sr_method, target, tau2, adjusted, next_x) -> Limits:
    if data_type == "PR":
        here = _proportion_limits(x, target, tau2)
        if next_x is None:
            return here
        after = _proportion_limits(next_x, target, tau2)
        # Where sin² turns back (the transformed limit past 0 or π/2), FunnelPlotR sets 0 or 1.
        return Limits(
            0.0 if here.lower_95 > after.lower_95 else here.lower_95,
            1.0 if here.upper_95 < after.upper_95 else here.upper_95,
            0.0 if here.lower_998 > after.lower_998 else here.lower_998,
            1.0 if here.upper_998 < after.upper_998 else here.upper_998,
        )
    if data_type == "RC":
        spread = math.sqrt(1 / (4 * x) + tau2)
        centre = _log(target)
        return Limits(*(math.exp(centre + sign * z * spread) for z in (Z_95, Z_998) for sign in (-1, 1)))
    if not adjusted:
        # Exact Poisson limits: qchisq(p, 2x, lower.tail = FALSE) / 2 is the gamma quantile.
        return Limits(
            target * _gamma_quantile(x, 0.025) / x,
            target * _gamma_quantile(x + 1, 0.975) / x,
            target * _gamma_quantile(x, 0.001) / x,
            target * _gamma_quantile(x + 1, 0.999) / x,
        )
    if sr_method == "SHMI":
        spread = math.sqrt(1 / x + tau2)
        return Limits(*(math.exp(sign * z * spread) for z in (Z_95, Z_998) for sign in (-1, 1)))
    spread = math.sqrt(1 / (4 * x) + tau2)
    return Limits(*(1 + sign * z * spread for z in (Z_95, Z_998) for sign in (-1, 1)))


def _proportion_limits(x: float, target: float, tau2: float) -> Limits:
    centre = math.asin(math.sqrt(target))
    spread = math.sqrt(1 / (4 * x) + tau2)
    lower_95, upper_95, lower_998, upper_998 = (
        math.sin(centre + sign * z * spread) ** 2 for z in (Z_95, Z_998) for sign in (-1, 1)
    )
    return Limits(max(lower_95, 0.0), min(upper_95, 1.0), max(lower_998, 0.0), min(upper_998, 1.0))


def _flag(value: float, limits: Limits) -> str | None:
    """outliers_func(): outside a limit, not on it; the 99.8% limits first."""
    if value > limits.upper_998:
        return FLAG_HIGH_998
    if value < limits.lower_998:
        return FLAG_LOW_998
    if value > limits.upper_95:
        return FLAG_HIGH_95
    if value < limits.lower_95:
        return FLAG_LOW_95
    return None


# -- The gamma quantile, for exact Poisson limits (R's qchisq(p, 2a) / 2 = qgamma(p, a))

_TEMME_FROM = 1000.0  # from this shape on, Temme's uniform expansion; below it, series and continued fraction
_EPSILON = 1e-16
_MAX_TERMS = 10_000


def _log1pmx(mu: float) -> float:
    """log(1 + μ) − μ, without cancellation for small μ."""
    if abs(mu) >= 0.1:
        return math.log1p(mu) - mu
    total, power, k = 0.0, mu * mu, 2
    while True:
        term = power / k
        total += -term if k % 2 == 0 else term
        if abs(term) < 1e-18 * abs(total):
            return total
        power *= mu
        k += 1


def _log_prefix(a: float, x: float) -> float:
    """log(x^a e^−x / Γ(a))."""
    return a * math.log(x) - x - math.lgamma(a)


def _gamma_p_q(a: float, x: float) -> tuple[float, float]:
    """The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x)."""
    if x <= 0:
        return 0.0, 1.0
    if a >= _TEMME_FROM:
        q = _temme_q(a, x)
        return 1.0 - q, q
    if x < a + 1:
        # Series: P = x^a e^−x / Γ(a + 1) Σ x^n / ((a + 1)…(a + n)).
        term = total = 1.0 / a
        denominator = a
        for _ in range(_MAX_TERMS):
            denominator += 1
            term *= x / denominator
            total += term
            if term < total * _EPSILON:
                break
        p = total * math.exp(_log_prefix(a, x))
        return p, 1.0 - p
    # Continued fraction for Q (modified Lentz).
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPSILON:
            break
    q = math.exp(_log_prefix(a, x)) * h
    return 1.0 - q, q


def _temme_q(a: float, x: float) -> float:
    """Q(a, x) for large a by Temme's uniform asymptotic expansion (DLMF 8.12.8–8.12.10), to 1/a."""
    mu = x / a - 1
    eta = math.copysign(math.sqrt(-2 * _log1pmx(mu)), mu)
    if abs(mu) < 1e-3:
        # The closed forms below cancel badly here: their Taylor series in η instead.
        c0 = -1 / 3 + eta / 12 - 2 * eta**2 / 135 + eta**3 / 864 + eta**4 / 2835
        c1 = -1 / 540 - eta / 288 + eta**2 / 378
    else:
        c0 = 1 / mu - 1 / eta
        c1 = 1 / eta**3 - 1 / mu**3 - 1 / mu**2 - 1 / (12 * mu)
    return 0.5 * math.erfc(eta * math.sqrt(a / 2)) + math.exp(-a * eta * eta / 2) / math.sqrt(
        2 * math.pi * a
    ) * (c0 + c1 / a)


def _gamma_quantile(a: float, p: float) -> float:
    """x with P(a, x) = p, to about 1e-14 relative: bracketed Newton steps on the lower or upper tail."""
    lower_tail = p < 0.5
    goal = p if lower_tail else 1 - p

    def miss(x: float) -> float:
        """How far the tail at x is from the goal; positive when x is too far to the right (lower tail)."""
        lower, upper = _gamma_p_q(a, x)
        return (lower - goal) if lower_tail else (goal - upper)

    # Wilson–Hilferty's start, or the small-x form P ≈ x^a / Γ(a + 1) for small shapes.
    z = NormalDist().inv_cdf(p)
    guess = a * (1 - 1 / (9 * a) + z * math.sqrt(1 / (9 * a))) ** 3
    if not guess > 0 or a < 1:
        guess = math.exp((math.log(p) + math.lgamma(a + 1)) / a) if lower_tail else max(a, 1.0)
    low, high = 0.0, math.inf
    x = guess
    for _ in range(200):
        error = miss(x)
        if error == 0:
            return x
        if error > 0:
            high = x
        else:
            low = x
        density = math.exp(_log_prefix(a, x)) / x if x > 0 else 0.0
        step = error / density if density > 0 else math.inf
        candidate = x - step
        if not (low < candidate < high) or not math.isfinite(candidate):
            candidate = (low + high) / 2 if math.isfinite(high) else max(2 * x, x + 1)
            if low > 0 and math.isfinite(high) and high / low > 4:
                candidate = math.sqrt(low * high)
        if abs(candidate - x) <= 1e-15 * x:
            return candidate
        x = candidate
    return x

"""Message catalog and number/date formatting: every visible string of the report.

Strings live in ``locales/<locale>.json``; this module is the one place that turns
values into text (money, percentages, counts, months, dates), so a new locale is a new
JSON file and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

DEFAULT_LOCALE = "en"


@lru_cache(maxsize=None)
def load_catalog(locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    text = resources.files("csw.report").joinpath("locales", f"{locale}.json").read_text("utf-8")
    return json.loads(text)


def _as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Messages:
    """Look up strings (``t``) and format values for one locale."""

    locale: str = DEFAULT_LOCALE
    catalog: dict[str, Any] = field(default=None, repr=False)  # type: ignore[assignment]
    # `csw report --currency JPY`: yen per USD at the as-of month's rate; text amounts are
    # then shown in 万円 (10,000 yen). Charts stay in USD.
    jpy_per_usd: Decimal | None = None

    def __post_init__(self) -> None:
        if self.catalog is None:
            object.__setattr__(self, "catalog", load_catalog(self.locale))

    # -- strings ---------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        """The string at dotted ``key``, with ``{name}`` placeholders filled."""
        node: Any = self.catalog
        for part in key.split("."):
            node = node[part]
        if not isinstance(node, str):
            raise KeyError(f"message {key!r} is not a string")
        return node.format(**params) if params else node

    def value_label(self, kind: str, value: str | None) -> str:
        """Display name of a data value (segment, band, reason...); the raw value if unknown."""
        labels = self.catalog["values"].get(kind, {})
        key = "__null__" if value is None else value
        return labels.get(key, key if value is not None else self.fmt("missing"))

    def fmt(self, key: str) -> Any:
        return self.catalog["format"][key]

    # -- numbers ---------------------------------------------------------------
    def number(self, value: Any, decimals: int = 0) -> str:
        if value is None:
            return self.fmt("missing")
        quantum = Decimal(1).scaleb(-decimals)
        rounded = _as_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
        text = f"{abs(rounded):,.{decimals}f}"
        text = (
            text.replace(",", "\x00")
            .replace(".", self.fmt("decimal_sep"))
            .replace("\x00", self.fmt("thousands_sep"))
        )
        return ("-" if rounded < 0 else "") + text

    def money(self, value: Any, decimals: int = 0) -> str:
        """USD amount, whole dollars by default (half away from zero)."""
        if value is None:
            return self.fmt("missing")
        if self.jpy_per_usd is not None:
            man_yen = self.number(_as_decimal(value) * self.jpy_per_usd / 10000, 1)
            if man_yen.startswith("-"):
                return "-" + self.fmt("money_man_yen").format(value=man_yen[1:])
            return self.fmt("money_man_yen").format(value=man_yen)
        text = self.number(value, decimals)
        if text.startswith("-"):
            return self.fmt("money_negative").format(value=text[1:])
        return self.fmt("money").format(value=text)

    def money_short(self, value: Any) -> str:
        """Compact USD amount for chart labels: $12.3k, $1.2M."""
        if value is None:
            return self.fmt("missing")
        amount = _as_decimal(value)
        suffixes = self.fmt("short_suffixes")
        scaled, index = abs(amount), 0
        while scaled >= 1000 and index < len(suffixes) - 1:
            scaled /= 1000
            index += 1
        text = self.number(scaled, 1 if index and scaled < 100 else 0)
        template = "money_short_negative" if amount < 0 else "money_short"
        return self.fmt(template).format(value=text, suffix=suffixes[index])

    def percent(self, ratio: Any, decimals: int = 1) -> str:
        """A 0-1 ratio as a percentage."""
        if ratio is None:
            return self.fmt("missing")
        return self.fmt("percent").format(value=self.number(_as_decimal(ratio) * 100, decimals))

    def percent_points(self, value: Any, decimals: int = 1) -> str:
        """A value already on a 0-100 scale as a percentage."""
        if value is None:
            return self.fmt("missing")
        return self.fmt("percent").format(value=self.number(value, decimals))

    # -- dates -----------------------------------------------------------------
    def month(self, value: date | None) -> str:
        if value is None:
            return self.fmt("missing")
        return self.fmt("month").format(
            month_name=self.fmt("month_names")[value.month - 1], year=value.year
        )

    def month_short(self, value: date) -> str:
        return self.fmt("month_short").format(
            month_abbr=self.fmt("month_abbrs")[value.month - 1],
            year=value.year,
            year2=f"{value.year % 100:02d}",
        )

    def date(self, value: date | None) -> str:
        if value is None:
            return self.fmt("missing")
        return self.fmt("date").format(
            month_name=self.fmt("month_names")[value.month - 1], day=value.day, year=value.year
        )

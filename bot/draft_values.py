"""Draft placeholders filled with what the person said, written the draft language's way.

Values are read once from a message (``read``) and kept language-neutral in the session
(amounts as ``"1200 EUR"``, rates as ``"80 EUR/hour"``, dates as ISO ``"2027-03-01"``,
durations as days, hours as a number); ``render`` writes them in fr, nb or en when a draft is
shown, so the same draft can be shown again in another language. The words (months, cue words,
rate units) are data in ``knowledge/draft_words.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import yaml

from bot.answers import find_amount, format_amount
from bot.vocab import fold
from knowledge.loader import KNOWLEDGE_DIR

SAID = "_v"  # the session slot holding what was read from the person's messages
MAX_READ = 1000
_MONTH_NAMES = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "en": "January February March April May June July August September October November December",
}
_UNIT_WORDS = {  # (singular, plural) per unit and language, for durations
    "fr": {"day": ("jour", "jours"), "week": ("semaine", "semaines"), "month": ("mois", "mois")},
    "nb": {"day": ("dag", "dager"), "week": ("uke", "uker"), "month": ("måned", "måneder")},
    "en": {"day": ("day", "days"), "week": ("week", "weeks"), "month": ("month", "months")},
}
_ONE = {"fr": {"day": "un", "week": "une", "month": "un"}, "nb": {"day": "én", "week": "én",
        "month": "én"}, "en": {"day": "a", "week": "a", "month": "a"}}  # fmt: skip
_RATE_PER = {
    "fr": {"hour": "de l'heure", "day": "par jour"},
    "nb": {"hour": "per time", "day": "per dag"},
    "en": {"hour": "an hour", "day": "a day"},
}
_HOURS = {"fr": ("heure", "heures"), "nb": ("time", "timer"), "en": ("hour", "hours")}
_ISO = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b")
_WORDY = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th|\.)?\s+(?:of\s+)?([^\W\d_]+)\.?(?:\s+(\d{4}))?")
_WORDY_EN = re.compile(r"\b([^\W\d_]+)\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_NUMBER = re.compile(r"(\d{1,5})(?:[.,](\d+))?")


@lru_cache(maxsize=1)
def words() -> dict[str, Any]:
    """The word lists of ``knowledge/draft_words.yaml``, folded."""
    raw = yaml.safe_load((KNOWLEDGE_DIR / "draft_words.yaml").read_text(encoding="utf-8"))
    months: dict[str, int] = {}
    for lang_months in raw["months"].values():
        for n, group in enumerate(lang_months.split("|"), 1):
            for word in group.split("/"):
                months.setdefault(fold(word), n)
    return {
        "months": months,
        "cues": {k: sorted((fold(w) for w in v), key=len, reverse=True)
                 for k, v in raw["cues"].items()},
        "rate_units": {k: [fold(w) if w[0] != "/" else w for w in v]
                       for k, v in raw["rate_units"].items()},
        "hour_words": {fold(w) for ws in raw["hour_words"].values() for w in ws},
        "ago_words": [fold(w) for ws in raw["ago_words"].values() for w in ws],
        "kinds": dict(raw["kinds"]),
    }  # fmt: skip


# Reading ------------------------------------------------------------------------------------


def _year_for(month: int, day: int, today: date) -> int:
    """A date said without a year is the next one to come (or today)."""
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        return today.year
    return today.year if this_year >= today - timedelta(days=7) else today.year + 1


def _make(year: int | None, month: int, day: int, today: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        return date(year or _year_for(month, day, today), month, day)
    except ValueError:
        return None


def find_dates(text: str, today: date) -> list[tuple[int, date]]:
    """(position, date) for every calendar date in ``text``: ISO, 01/03, 1.3.2027, 1er mars,
    1. mars, 1 March, March 1st."""
    months = words()["months"]
    found: dict[int, date] = {}
    for m in _ISO.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), today)
        if d:
            found[m.start()] = d
    for m in _NUMERIC.finditer(text):
        if any(abs(m.start() - p) < 3 for p in found):
            continue
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if m.group(0).count(".") == 1 and "," in text[m.end() : m.end() + 1]:
            continue
        d = _make(int(year) if year else None, month, day, today) if 1 <= month <= 12 else None
        if d:
            found[m.start()] = d
    for m in _WORDY.finditer(text):
        month = months.get(fold(m.group(2)))
        if month:
            d = _make(int(m.group(3)) if m.group(3) else None, month, int(m.group(1)), today)
            if d:
                found[m.start()] = d
    for m in _WORDY_EN.finditer(text):
        month = months.get(fold(m.group(1)))
        if month and not any(abs(m.start() - p) < 12 for p in found):
            d = _make(int(m.group(3)) if m.group(3) else None, month, int(m.group(2)), today)
            if d:
                found[m.start()] = d
    return sorted(found.items())


def _cue_before(folded_prefix: str) -> str | None:
    """The date placeholder whose cue words end the text just before a date."""
    tail = " ".join(folded_prefix.split()[-4:])
    best: tuple[int, str] | None = None
    for placeholder, cues in words()["cues"].items():
        for cue in cues:
            ends = tail.endswith(" " + cue) or tail == cue
            if ends and (best is None or len(cue) > best[0]):
                best = (len(cue), placeholder)
    return best[1] if best else None


def _plain(text: str) -> str:
    """Lower case, accents and apostrophes made plain, same length as ``text``."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFKD", ch)[0] if ch not in "æøå" else ch
        out.append(" " if ch in "'’" else base)
    return "".join(out)


def find_rate(text: str) -> str | None:
    """A rate "80 €/h", "600 € par jour", "kr 900 i timen" as ``"80 EUR/hour"``."""
    plain = _plain(text)
    units = words()["rate_units"]
    for unit, cues in units.items():
        for cue in cues:
            at = plain.find(cue) if cue.startswith("/") else plain.find(" " + cue)
            end = at + len(cue) + (0 if cue.startswith("/") else 1)
            if at < 0 or plain[end : end + 1].isalpha():
                continue
            window = text[max(0, at - 24) : at + 1]
            amount = find_amount(window)
            if amount:
                return f"{amount}/{unit}"
    return None


def find_hours(text: str) -> float | None:
    """Extra hours said as "10 hours", "12 heures", "8 timer" (not a rate, not a time of day)."""
    hour_words = words()["hour_words"]
    found: set[str] = set()
    pattern = r"(?<![\d:])(\d{1,4}(?:[.,]\d+)?)\s*([^\W\d_]+)(?:\s+([^\W\d_]+))?"
    for m in re.finditer(pattern, text[:MAX_READ]):
        said = [fold(w) for w in m.groups()[1:] if w]
        if any(w in hour_words for w in said) and text[m.end() : m.end() + 1] not in (":", "/"):
            found.add(m.group(1).replace(",", "."))
    if len(found) != 1:
        return None
    value = float(found.pop())
    return value if 0 < value <= 2000 else None


def find_ago(text: str, units: dict[str, int], numbers: dict[str, int]) -> int | None:
    """Days of "3 weeks ago", "il y a trois semaines", "for 3 uker siden"."""
    folded = fold(text[:MAX_READ])
    tokens = folded.split()
    ago = words()["ago_words"]
    for i in range(len(tokens) - 1):
        raw, unit = tokens[i], tokens[i + 1]
        value = int(raw) if raw.isdigit() else numbers.get(raw)
        factor = units.get(unit)
        if value is None or factor is None:
            continue
        before = " ".join(tokens[max(0, i - 3) : i])
        after = " ".join(tokens[i + 2 : i + 3])
        if any(before.endswith(w) for w in ago) or after in ago:
            days = value * factor
            return days if 0 < days <= 3650 else None
    return None


def read(
    text: str,
    today: date,
    units: dict[str, int] | None = None,
    numbers: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The placeholder values a message states plainly, language-neutral."""
    text = text[:MAX_READ]
    values: dict[str, Any] = {}
    rate = find_rate(text)
    if rate:
        values["new_rate"] = rate
    else:
        amount = find_amount(text)
        if amount:
            values["amount"] = amount
    folded_text = text
    undecided: list[str] = []
    for at, day in find_dates(folded_text, today):
        placeholder = _cue_before(fold(folded_text[:at]))
        if placeholder == "due_date" and day > today:  # a due date said without a year is past
            day = day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day
        if placeholder and placeholder not in values:
            values[placeholder] = day.isoformat()
        elif placeholder is None:
            undecided.append(day.isoformat())
    if len(undecided) == 1:
        values["_date"] = undecided[0]  # one date with no cue: for a draft with one date slot
    hours = find_hours(text)
    if hours is not None:
        values["hours"] = hours
    ago = find_ago(text, units or {}, numbers or {})
    if ago is not None:
        values["delivered_ago"] = ago
    return values


# Writing ------------------------------------------------------------------------------------


def format_date(iso: str, lang: str) -> str:
    """2027-03-01 → "1er mars 2027" · "1. mars 2027" · "1 March 2027"."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    month = _MONTH_NAMES.get(lang, _MONTH_NAMES["en"]).split()[day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if lang == "nb":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def _number(value: float, lang: str) -> str:
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",") if lang in ("fr", "nb") else text


def format_duration(days: int, lang: str) -> str:
    """21 → "3 semaines" · "3 uker" · "3 weeks"; 7 → "une semaine" · "én uke" · "a week"."""
    lang = lang if lang in _UNIT_WORDS else "en"
    if days % 30 == 0 and days >= 30:
        count, unit = days // 30, "month"
    elif days % 7 == 0 and days >= 7:
        count, unit = days // 7, "week"
    else:
        count, unit = days, "day"
    one, many = _UNIT_WORDS[lang][unit]
    return f"{_ONE[lang][unit]} {one}" if count == 1 else f"{count} {many}"


def format_ago(days: int, lang: str) -> str:
    """21 → "il y a 3 semaines" · "for 3 uker siden" · "3 weeks ago"."""
    span = format_duration(days, lang)
    if lang == "fr":
        return f"il y a {span}"
    if lang == "nb":
        return f"for {span} siden"
    return f"{span} ago"


def format_rate(stored: str, lang: str) -> str:
    """ "80 EUR/hour" → "80 € de l'heure" · "80 € per time" · "€80 an hour"."""
    amount, _, unit = stored.rpartition("/")
    per = _RATE_PER.get(lang, _RATE_PER["en"]).get(unit, "")
    return f"{format_amount(amount, lang)} {per}".strip()


def format_hours(value: Any, lang: str) -> str:
    one, many = _HOURS.get(lang, _HOURS["en"])
    number = float(value)
    return f"{_number(number, lang)} {one if number == 1 else many}"


def render(
    values: dict[str, Any], lang: str, placeholders: set[str] | None = None
) -> dict[str, str]:
    """Every known value written in ``lang``; ``placeholders`` (the draft's) let a single date
    said without a cue fill the draft's only date placeholder."""
    kinds = words()["kinds"]
    out: dict[str, str] = {}
    for name, value in values.items():
        if name.startswith("_") or value is None or value == "":
            continue
        kind = kinds.get(name, "text")
        try:
            if kind == "money":
                out[name] = format_amount(str(value), lang)
            elif kind == "rate":
                out[name] = format_rate(str(value), lang)
            elif kind == "date":
                out[name] = format_date(str(value), lang)
            elif kind == "ago":
                out[name] = format_ago(int(value), lang)
            elif kind == "hours":
                out[name] = format_hours(value, lang)
            else:
                out[name] = str(value)
        except (ValueError, TypeError, ArithmeticError):
            continue
    if "_date" in values and placeholders:
        open_dates = [p for p in placeholders if kinds.get(p) == "date" and p not in out]
        if len(open_dates) == 1:
            out[open_dates[0]] = format_date(str(values["_date"]), lang)
    return out

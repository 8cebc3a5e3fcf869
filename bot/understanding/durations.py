"""How many days a person means: "45", "seven weeks", "fem uker", "un mois et demi",
"half a year", "since early last month", "depuis le 3 octobre".

A week is 7 days, a month 30, a year 365 (half a year is six months: 180). Relative dates count
the days from that date to the day of the message. Zero or a negative number is no answer.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bot.understanding.conversation_data import NumberWords
from bot.understanding.phrases import content, words
from knowledge.models import LANGS

MAX_DAYS = 3650
MONTH = 30
HALF_YEAR = 180
# Number words that are also articles or common words: never a bare number of days.
NOT_ALONE = frozenset({"a", "an", "en", "ei", "et", "ett", "un", "une", "par", "couple", "to",
                       "none", "single", "null"})  # fmt: skip
_DECIMAL = re.compile(r"(\d+)[.,](\d+)\s*([^\W\d_]+)")


@dataclass(frozen=True)
class Days:
    """A reading: ``value`` days, or ``invalid`` when a number was given but cannot be a delay."""

    value: int | None = None
    invalid: bool = False


def _phrase_table(phrases: list[str]) -> list[tuple[str, ...]]:
    return sorted((words(p) for p in phrases if words(p)), key=len, reverse=True)


class DurationReader:
    """Reads days in the three languages; the answer's language is tried first."""

    def __init__(self, data: NumberWords, units: dict[str, int]) -> None:
        self.units = {words(u)[0]: f for u, f in units.items() if len(words(u)) == 1}
        self.rounding = frozenset(w for _, p in data.rounding.items() for w in words(p))
        self.numbers: dict[str, dict[tuple[str, ...], int]] = {}
        self.tens: dict[str, dict[str, int]] = {}
        for lang in LANGS:
            table = {}
            for value, names in data.numbers.get(lang, {}).items():
                for name in names:
                    if words(name):
                        table[words(name)] = int(value)
            self.numbers[lang] = table
            self.tens[lang] = {w[0]: v for w, v in table.items() if len(w) == 1 and v % 10 == 0}
        self.half = {lang: {w for p in data.half.get(lang) for w in words(p)} for lang in LANGS}
        self.one_half = {lang: {w for p in data.one_and_a_half.get(lang) for w in words(p)}
                         for lang in LANGS}  # fmt: skip
        self.joiners = {lang: _phrase_table(data.joiners.get(lang)) for lang in LANGS}
        self.marks = {
            name: {lang: _phrase_table(getattr(data, name).get(lang)) for lang in LANGS}
            for name in ("last_month", "this_month", "start_of", "middle_of", "end_of",
                         "last_week", "yesterday")
        }  # fmt: skip
        self.thousands = {lang: {w for p in data.thousand.get(lang) for w in words(p)}
                          for lang in LANGS}  # fmt: skip
        self.hundreds = {lang: {w for p in data.hundred.get(lang) for w in words(p)}
                         for lang in LANGS}  # fmt: skip
        self.months = {
            lang: {words(m)[0]: n for n, m in enumerate(data.months.get(lang), 1)} for lang in LANGS
        }

    # Numbers ----------------------------------------------------------------------------------
    def _number(self, ws: tuple[str, ...], i: int, lang: str) -> tuple[float, int] | None:
        """(value, words used) of the number starting at ``ws[i]``."""
        if i >= len(ws):
            return None
        word = ws[i]
        if word.isdigit():
            return float(word), 1
        table = self.numbers[lang]
        best: tuple[float, int] | None = None
        for size in (3, 2, 1):
            if tuple(ws[i : i + size]) in table:
                best = (float(table[tuple(ws[i : i + size])]), size)
                break
        if best is None:
            glued = self._glued(word, lang)
            return (float(glued), 1) if glued is not None else None
        value, used = best
        if value % 10 == 0 and 20 <= value < 100:  # "forty five", "vingt et un", "tjue to"
            j = i + used
            for joiner in self.joiners[lang]:
                if tuple(ws[j : j + len(joiner)]) == joiner:
                    j += len(joiner)
                    break
            unit = table.get((ws[j],)) if j < len(ws) else None
            if unit is not None and 1 <= unit <= 9:
                return value + unit, j - i + 1
        return value, used

    def _glued(self, word: str, lang: str) -> int | None:
        """ "førtifem" / "fortifem", "twentyone": tens and units written as one word."""
        for tens_word, tens in self.tens[lang].items():
            if word.startswith(tens_word) and word != tens_word:
                unit = self.numbers[lang].get((word[len(tens_word) :],))
                if unit is not None and 1 <= unit <= 9:
                    return tens + unit
        return None

    def _starts(self, ws: tuple[str, ...], i: int, table: list[tuple[str, ...]]) -> int:
        for phrase in table:
            if tuple(ws[i : i + len(phrase)]) == phrase:
                return len(phrase)
        return 0

    # Durations --------------------------------------------------------------------------------
    def _days(self, value: float, factor: int) -> int:
        if factor == 365 and value != int(value):
            return round(value * 12 * MONTH)  # "half a year", "1.5 years": months
        return round(value * factor)

    def _duration(self, ws: tuple[str, ...], lang: str) -> Days | None:
        half, one_half = self.half[lang], self.one_half[lang]
        for i in range(len(ws)):
            word = ws[i]
            if word in one_half and i + 1 < len(ws) and ws[i + 1] in self.units:
                return self._valid(self._days(1.5, self.units[ws[i + 1]]))
            if word in half:  # "half a year", "et halvt år", "a half month"
                j = i + 1
                if j < len(ws) and ws[j] in ("a", "an", "un", "une", "en", "et", "ei"):
                    j += 1
                if j < len(ws) and ws[j] in self.units:
                    return self._valid(self._days(0.5, self.units[ws[j]]))
            number = self._number(ws, i, lang)
            if number is None:
                continue
            value, used = number
            j = i + used
            j, value = self._fraction(ws, j, lang, value)
            if j < len(ws) and ws[j] in self.units:
                factor = self.units[ws[j]]
                _, value = self._fraction(ws, j + 1, lang, value)
                return self._valid(self._days(value, factor))
        return None

    def _fraction(self, ws: tuple[str, ...], j: int, lang: str, value: float) -> tuple[int, float]:
        """Past "and a half" / "et demi" / "og en halv" at ``j``: (next index, value + 0.5)."""
        k = j + self._starts(ws, j, self.joiners[lang])
        if k > j and k < len(ws) and ws[k] in ("a", "an", "un", "une", "en", "ei", "et"):
            k += 1
        if k > j and k < len(ws) and ws[k] in self.half[lang]:
            return k + 1, value + 0.5
        return j, value

    def _valid(self, days: int) -> Days:
        return Days(days) if 0 < days <= MAX_DAYS else Days(invalid=True)

    # Dates ------------------------------------------------------------------------------------
    def _date(self, ws: tuple[str, ...], lang: str, today: date) -> Days | None:
        for i in range(len(ws)):
            for name, days_ago in (("yesterday", 1), ("last_week", 7)):
                if self._starts(ws, i, self.marks[name][lang]):
                    return Days(days_ago)
            part = 1
            k = i
            for name, day in (("start_of", 1), ("middle_of", 15), ("end_of", 28)):
                size = self._starts(ws, i, self.marks[name][lang])
                if size:
                    part, k = day, i + size
                    break
            for name, back in (("last_month", 1), ("this_month", 0)):
                if self._starts(ws, k, self.marks[name][lang]) and (k > i or name == "last_month"):
                    year, month = today.year, today.month - back
                    if month < 1:
                        year, month = year - 1, 12
                    return self._valid((today - date(year, month, part)).days)
            named = self._named_date(ws, i, lang, today)
            if named is not None:
                return named
        return None

    def _named_date(self, ws: tuple[str, ...], i: int, lang: str, today: date) -> Days | None:
        """ "3 october", "october 3", "le 3 octobre", "3. oktober": the last such day not after
        today."""
        months = self.months[lang]
        if ws[i] not in months:
            return None
        month = months[ws[i]]
        day = None
        if i > 0 and ws[i - 1].isdigit():
            day = int(ws[i - 1])
        elif i + 1 < len(ws) and ws[i + 1].isdigit():
            day = int(ws[i + 1])
        if day is None:
            day = 1  # "since October"
        year = today.year
        if (month, day) > (today.month, today.day):
            year -= 1
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        return self._valid((today - date(year, month, day)).days)

    # Amounts in words -------------------------------------------------------------------------
    def amount(self, text: str, lang: str) -> int | None:
        """A whole amount written in words ("deux mille", "two thousand five hundred", "fem
        tusen"), or None when the text holds no number word."""
        ws = content(words(text))
        order = [lang, *(code for code in LANGS if code != lang)]
        for code in order:
            total = current = 0
            seen = False
            i = 0
            while i < len(ws):
                word = ws[i]
                if word in self.thousands[code]:
                    total += (current or 1) * 1000
                    current, seen, i = 0, True, i + 1
                    continue
                if word in self.hundreds[code]:
                    current, seen, i = (current or 1) * 100, True, i + 1
                    continue
                before_multiplier = i + 1 < len(ws) and (
                    ws[i + 1] in self.thousands[code] or ws[i + 1] in self.hundreds[code]
                )  # "to tusen", "une centaine": the article-like word is the number here
                alone = word in NOT_ALONE and not seen and not before_multiplier
                number = None if alone else self._number(ws, i, code)
                if number is not None and not ws[i].isdigit() and number[0] < 100:
                    current += int(number[0])
                    seen, i = True, i + number[1]
                    continue
                i += 1
            if seen and total + current > 0:
                return total + current
        return None

    # Entry ------------------------------------------------------------------------------------
    def _rounds(self, ws: tuple[str, ...], i: int) -> bool:
        """The word only rounds the unit right after it ("bon" of "un bon mois")."""
        return ws[i] in self.rounding and i + 1 < len(ws) and ws[i + 1] in self.units

    def read(self, text: str, lang: str, today: date) -> Days:
        """Days in an answer to "how many days?"; ``Days()`` when there are none."""
        ws = content(words(text))
        if not ws:
            return Days()
        if self.rounding & set(ws):  # "un bon mois", "a good month": the unit with its number
            ws = tuple(w for i, w in enumerate(ws) if not self._rounds(ws, i))
        if "-" in text and any(w.isdigit() for w in ws):
            stripped = text.replace(" ", "")
            if any(stripped[k] == "-" and stripped[k + 1 : k + 2].isdigit()
                   and (k == 0 or not stripped[k - 1].isalnum())
                   for k in range(len(stripped) - 1)):  # fmt: skip
                return Days(invalid=True)  # "-5"
        decimal = _DECIMAL.search(text)
        if decimal and words(decimal.group(3))[:1] and words(decimal.group(3))[0] in self.units:
            value = float(f"{decimal.group(1)}.{decimal.group(2)}")
            return self._valid(self._days(value, self.units[words(decimal.group(3))[0]]))
        order = [lang, *(code for code in LANGS if code != lang)]
        for code in order:
            found = self._date(ws, code, today) or self._duration(ws, code)
            if found is not None:
                return found
        units_alone = [self.units[w] for w in ws if self.units.get(w, 1) > 1]
        if len(ws) <= 2 and units_alone:
            return self._valid(units_alone[0])  # "month", "a month" said as just "month"
        for code in order:  # a bare number: the question asks for days
            for i in range(len(ws)):
                number = self._number(ws, i, code)
                if number is None or (not ws[i].isdigit() and ws[i] in NOT_ALONE):
                    continue
                if ws[i].isdigit() or len(ws) <= 3:
                    return self._valid(self._days(number[0], 1))
        return Days()

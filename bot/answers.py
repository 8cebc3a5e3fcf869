"""Reading free-text answers: a number of days, an amount of money, a reference.

The words (units, number words) come from ``knowledge/interface/commands.yaml`` through
:class:`bot.vocab.Vocabulary`; only symbols and digits are known here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.vocab import fold

MAX_DAYS = 3650
MAX_REF = 32
MAX_SCAN = 400  # characters of an answer worth reading

# Currency symbols and codes → ISO code (symbols are not words of any language).
CURRENCIES: dict[str, str] = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "usd": "USD", "£": "GBP", "gbp": "GBP", "chf": "CHF",
    "kr": "NOK", "kr.": "NOK", "nok": "NOK", ",-": "NOK", "sek": "SEK", "dkk": "DKK",
}  # fmt: skip
_CUR = "|".join(sorted((re.escape(c) for c in CURRENCIES), key=len, reverse=True))
_SEP = r"[\s\u00a0\u202f.,']"
_AMOUNT = re.compile(
    rf"(?P<pre>{_CUR})?\s*(?P<num>\d{{1,3}}(?:{_SEP}\d{{3}})+(?:[.,]\d{{1,2}})?"
    rf"|\d+(?:[.,]\d{{1,2}})?)(?!\d)\s*(?P<post>{_CUR})?",
    re.IGNORECASE,
)
_NUMBER_UNIT = re.compile(r"(\d{1,5})(?:[.,]\d+)?\s*([^\W\d_]+)?")
_WORD = re.compile(r"[^\W\d_]+")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.#-]*\d[A-Za-z0-9/_.#-]*|\d+")


def parse_days(text: str, numbers: dict[str, int], units: dict[str, int]) -> int | None:
    """Days from "45", "45 days", "3 weeks", "two months", "un mois"; None when unreadable.

    ``numbers`` and ``units`` are keyed by :func:`bot.vocab.fold`-ed words.
    """
    text = text[:MAX_SCAN]
    for match in _NUMBER_UNIT.finditer(text):
        value = int(match.group(1))
        factor = units.get(fold(match.group(2) or ""), 1)
        days = value * factor
        return days if 0 <= days <= MAX_DAYS else None
    words = [fold(w) for w in _WORD.findall(text)]
    for word, following in zip(words, [*words[1:], ""], strict=False):
        if word in numbers and following in units:
            return numbers[word] * units[following]
    for word in words:
        if word in units and units[word] > 1:  # "a month" said as just "month"
            return units[word]
    return None


def _to_decimal(raw: str) -> Decimal | None:
    """ "1 200,50" / "1,200.50" / "1.200" / "5000" → Decimal: a final 1–2 digit group is cents."""
    cents = re.search(r"[.,](\d{1,2})$", raw)
    whole = raw[: cents.start()] if cents else raw
    digits = re.sub(r"\D", "", whole)
    try:
        return Decimal(f"{digits}.{cents.group(1)}" if cents else digits)
    except InvalidOperation:
        return None


def parse_amount(text: str) -> str | None:
    """An amount as ``"<number> <ISO code>"`` (code may be empty): "kr 5000" → "5000 NOK"."""
    matches = list(_AMOUNT.finditer(text[:MAX_SCAN]))
    if not matches:
        return None
    match = next((m for m in matches if m.group("pre") or m.group("post")), matches[0])
    value = _to_decimal(match.group("num"))
    if value is None or value > Decimal("1e12"):
        return None
    code = CURRENCIES.get((match.group("pre") or match.group("post") or "").casefold(), "")
    return f"{value.normalize():f} {code}".strip()


def _group(whole: str, sep: str) -> str:
    out = []
    while len(whole) > 3:
        out.insert(0, whole[-3:])
        whole = whole[:-3]
    out.insert(0, whole)
    return sep.join(out)


def format_amount(stored: str, lang: str) -> str:
    """Write a stored amount the way each language does: 1 200,50 € · kr 1 200,50 · €1,200.50."""
    number, _, code = stored.partition(" ")
    whole, _, frac = number.partition(".")
    if frac:
        frac = frac.ljust(2, "0")
    if lang == "en":
        text = _group(whole, ",") + (f".{frac}" if frac else "")
        symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(code)
        return f"{symbol}{text}" if symbol else f"{code} {text}".strip()
    text = _group(whole, "\u00a0") + (f",{frac}" if frac else "")
    if code == "NOK" and lang == "nb":
        return f"kr\u00a0{text}"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£", "NOK": "kr"}.get(code, code)
    return f"{text}\u00a0{symbol}" if symbol else text


def parse_reference(text: str) -> str | None:
    """An invoice number: the first token with a digit ("INV-2024-17"), else the short text."""
    text = text[:MAX_SCAN].strip()
    match = _REF.search(text)
    if match:
        return match.group(0)[:MAX_REF]
    short = " ".join(text.split())
    return short[:MAX_REF] if short else None


def parse_text(text: str) -> str | None:
    """A short free-text answer, whitespace collapsed and capped."""
    short = " ".join(text[:MAX_SCAN].split())
    return short[:MAX_REF] if short else None

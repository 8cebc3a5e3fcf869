"""Reading free-text answers: a number of days, an amount of money, a reference.

``parse_*`` read the answer to a question; ``find_*`` read the same values out of a whole message
(the one that starts a flow) and give up unless the message says it in one unambiguous way.
Days in an answer are read by :mod:`bot.understanding.durations`.
The words (units, number words, invoice words) come from ``knowledge/interface/commands.yaml``
through :class:`bot.vocab.Vocabulary`; only symbols and digits are known here.
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
    "kroner": "NOK", "dollar": "USD", "dollars": "USD",
    "cad": "CAD", "aud": "AUD", "nzd": "NZD", "jpy": "JPY", "pln": "PLN", "livres": "GBP",
    "pounds": "GBP", "pound": "GBP", "quid": "GBP", "balles": "EUR", "kroner.": "NOK",
}  # fmt: skip
_CUR = "|".join(sorted((re.escape(c) for c in CURRENCIES), key=len, reverse=True))
_SEP = r"[\s\u00a0\u202f.,']"
_AMOUNT = re.compile(
    rf"(?P<pre>{_CUR})?\s*(?P<num>\d{{1,3}}(?:{_SEP}\d{{3}})+(?:[.,]\d{{1,2}})?"
    rf"|\d+(?:[.,]\d{{1,2}})?)(?!\d)\s*(?P<post>{_CUR})?",
    re.IGNORECASE,
)
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.#-]*\d[A-Za-z0-9/_.#-]*|\d+")
_NUMBER = re.compile(
    rf"\d{{1,3}}(?:{_SEP}\d{{3}})+(?:[.,]\d{{1,2}})?(?!\d)|\d+(?:[.,]\d{{1,2}})?(?!\d)"
)
_DIGIT = re.compile(r"\d")
_PRE = re.compile(rf"({_CUR})\s*$", re.IGNORECASE)
_POST = re.compile(rf"\s*({_CUR})", re.IGNORECASE)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
_EDGE = "\"'«»“”()[]{}<>,;:!?."
_MARKS = ("#", "n°", "nº", "no.", "nr.")  # written before a number, with or without a space
MAX_NUMBER_WORD = 8  # letters of the longest number word ("douze", "elleve", "twelve")
MAX_FIND = 1000  # characters of a first message searched for values


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


# Values named somewhere in a whole message ----------------------------------------------------


def _word(word: str) -> str:
    """A single word folded like the vocabulary (plain ASCII needs only lower case)."""
    return word.casefold() if word.isascii() and word.isalnum() else fold(word)


def _attached(text: str, start: int) -> bool:
    """True when the token at ``start`` is glued to what comes before ("F-12", "#17", "v2")."""
    return start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([\"'«“"


def find_days(
    text: str,
    numbers: dict[str, int],
    units: dict[str, int],
    frequency: frozenset[str] = frozenset(),
) -> int | None:
    """Days a message names as a number and a unit ("45 dager", "for two months", "3 semaines");
    None when there is none, or when two mentions disagree. A duration after one of the
    ``frequency`` words ("once a month", "every 2 weeks") is a rhythm, not a delay: not read."""
    text = text[:MAX_FIND]
    tokens = list(_TOKEN.finditer(text))
    found: set[int] = set()
    for n, (token, following) in enumerate(zip(tokens, tokens[1:], strict=False)):
        raw = token.group(0)
        if raw[0].isdigit():
            if _attached(text, token.start()):
                continue
            try:
                value = float(raw.replace(",", "."))
            except ValueError:  # digits float() refuses: "¹", "²"
                continue
        elif len(raw) <= MAX_NUMBER_WORD and _word(raw) in numbers:
            value = numbers[_word(raw)]
        else:
            continue
        factor = units.get(_word(following.group(0)))
        if factor is None or text[token.end() : following.start()].strip():
            continue
        if n and _word(tokens[n - 1].group(0)) in frequency:
            continue
        days = round(value * factor)
        if not 0 < days <= MAX_DAYS:
            return None
        found.add(days)
    return found.pop() if len(found) == 1 else None


def find_amount(text: str) -> str | None:
    """An amount a message gives with its currency ("1 200 €", "kr 5000"); None when there is
    none, or when two amounts differ."""
    text = text[:MAX_FIND]
    found: set[str] = set()
    if not _DIGIT.search(text):
        return None
    for number in _NUMBER.finditer(text):
        start, end = number.span()
        pre = _PRE.search(text, max(0, start - 8), start)
        post = _POST.match(text, end)
        if not (pre or post):
            continue
        if post and post.group(1)[-1].isalpha() and text[post.end() : post.end() + 1].isalpha():
            continue  # "kr" at the start of another word
        if pre and pre.group(1)[-1].isalpha() and _attached(text, pre.start(1)):
            continue
        if not pre and _attached(text, start):
            continue  # "#2024 EUR", "F-12 €": part of a reference
        value = parse_amount(text[pre.start(1) if pre else start : post.end() if post else end])
        if value is not None:
            found.add(value)
    return found.pop() if len(found) == 1 else None


def find_reference(
    text: str, words: frozenset[str], marks: frozenset[str], units: dict[str, int]
) -> str | None:
    """The reference that follows one of ``words`` ("invoice #2024-017", "facture n° F-12");
    ``marks`` ("no", "nr", "numéro") may stand between. None when there is none or two differ.

    A number followed by a currency or a unit is an amount or a duration, not a reference."""
    text = text[:MAX_FIND]
    lowered = text.casefold()
    if not _DIGIT.search(text) or all(w.isascii() and w not in lowered for w in words):
        return None  # no invoice word at all: the common case, decided without splitting
    parts = text.split()
    found: set[str] = set()
    for i, part in enumerate(parts):
        if _word(part) not in words:
            continue
        j = i + 1
        while j < len(parts) and (_word(parts[j]) in marks or parts[j].strip(_EDGE) in _MARKS):
            j += 1
        if j >= len(parts):
            continue
        raw = parts[j].strip(_EDGE)
        for prefix in _MARKS:
            if raw.casefold().startswith(prefix):
                raw = raw[len(prefix) :]
        following = parts[j + 1] if j + 1 < len(parts) else ""
        if not _REF.fullmatch(raw) or not any(c.isdigit() for c in raw):
            continue
        if following.strip(_EDGE).casefold() in CURRENCIES or _word(following) in units:
            continue  # "invoice 1200 €", "invoice 45 days": an amount or a duration
        found.add(raw[:MAX_REF])
    return found.pop() if len(found) == 1 else None

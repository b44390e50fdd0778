"""Offline PII detectors: patterns plus checksums and context, each returning masked values.

presidio-style pattern recognizers need spaCy models for names; those cannot be downloaded
on a locked-down machine, so ftprep uses the layer that works offline and is precise:
regular expressions validated by checksums (Luhn for cards), number-plan rules (SSN areas)
and context words (a date is a date of birth only next to "DOB", "date of birth", "born on";
a number is a medical record number only next to "MRN", "medical record number", "MR#").

Every match carries its *masked* form; the clear value never leaves this module in a
finding. Patterns avoid the usual look-alikes: dates, ICD-10 codes (``E11.9``), prices,
version numbers, order ids and times.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = ("email", "phone", "ssn", "card", "ip", "dob", "mrn")

#: Local parts of organisational mailboxes: an address like ``support@acme.com`` names a
#: team, not a person.
ROLE_MAILBOXES: frozenset[str] = frozenset(
    {
        "admin", "billing", "contact", "customerservice", "donotreply", "do-not-reply", "git",
        "hello", "help", "helpdesk", "hr", "info", "legal", "mail", "marketing", "no-reply",
        "noreply", "office", "postmaster", "press", "privacy", "sales", "security", "service",
        "support", "team", "webmaster",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PiiMatch:
    """One detected value: its category, span in the text, and the masked rendering."""

    category: str
    start: int
    end: int
    masked: str


# --- masking -------------------------------------------------------------------------------


def mask_digits(value: str, keep: int) -> str:
    """Replace every digit but the last ``keep`` with ``*``; separators stay."""
    digits = sum(c.isdigit() for c in value)
    out, seen = [], 0
    for c in value:
        if c.isdigit():
            seen += 1
            out.append(c if seen > digits - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def mask_email(value: str) -> str:
    """``john.doe@example.com`` -> ``j***@e***.com``."""
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}"


def mask_tail(value: str, keep: int) -> str:
    """All alphanumerics but the last ``keep`` become ``*`` (ids such as MRNs)."""
    total = sum(c.isalnum() for c in value)
    out, seen = [], 0
    for c in value:
        if c.isalnum():
            seen += 1
            out.append(c if seen > total - keep else "*")
        else:
            out.append(c)
    return "".join(out)


def _mask_ipv6(value: str) -> str:
    head, _, last = value.rpartition(":")
    return re.sub(r"[0-9A-Fa-f]", "*", head) + ":" + last


def _mask_date(value: str) -> str:
    """Keep a four-digit year (HIPAA Safe Harbor allows the year); mask day and month."""
    out = re.sub(
        r"\b(?!(?:19|20)\d\d\b)\d{1,4}(?:st|nd|rd|th)?\b", lambda m: "*" * len(m[0]), value
    )
    return _MONTH.sub("***", out)


# --- patterns ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-]|\.\w)"
)
# US/NANP numbers with separators: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567.
_PHONE_US = re.compile(
    r"(?<![\w$#/+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}([ .-]))\d{3}[ .-]\d{4}"
    r"(?![\w-]|[.,]\d)"
)
# International numbers need the leading +: +44 20 7946 0958, +49-30-1234567, +33 1 23 45 67 89.
_PHONE_INTL = re.compile(r"(?<![\w$#/+.-])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\w-]|[.,]\d)")
# Bare digit runs count as a phone only right after a phone word.
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:phone|tel|telephone|mobile|cell(?:phone)?|fax|call(?:ed)?(?: me| us)?(?: at| on)?"
    r"|text(?: me)?(?: at)?|reach (?:me|him|her|them) at)\b[\s:.#-]{0,3}(\d{10}|\d{3}[ .-]\d{4})\b"
)
_SSN = re.compile(r"(?<![\w$#/.-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-]|[.,]\d)")
#: After "SSN" / "social security number" a 9-digit value is an SSN in any layout, even in
#: ranges the SSA never issues (987-65-432x is its advertising range): the writer meant it.
_SSN_CONTEXT = re.compile(
    r"(?i)\b(?:ssn|social security(?: number| no\.?| #)?)\b[\s:#-]{0,4}(?:is\s+)?"
    r"(\d{3}([- ]?)\d{2}\2\d{4})(?![\w-])"
)

_CARD = re.compile(r"(?<![\w$#/.-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)")
_IPV4 = re.compile(
    r"(?<![\w.:-])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})"
    r"(?![\w-]|\.\d)"
)
_VERSION_BEFORE = re.compile(r"(?i)\b(?:v|version|ver\.?|release|build|firmware|sdk|api)\s*$")
_IPV6 = re.compile(r"(?<![\w:.])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![\w:])")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH = re.compile(rf"(?i)\b{_MONTHS}\b\.?")
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|(?:19|20)\d\d[/.-]\d{1,2}[/.-]\d{1,2}\b"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d\d\b)"
)
_DOB = re.compile(
    r"(?i)\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"
    rf"(?:\s*[:=-]\s*|\s+(?:is\s+|was\s+|of\s+)?)({_DATE})"
)
_MRN = re.compile(
    r"(?i)(?:\bMRN\b|\bMR\s?#|\bMR\s+No\b\.?|\bmedical\s+record\s+(?:number|no\b\.?|#))"
    r"(?:\s*(?:is|was|of)\b)?\s*[:#=-]?\s*([A-Z]{0,3}-?\d[\d-]{3,14}\d)\b"
)
_HAS_DIGIT = re.compile(r"\d")


def may_hold_pii(text: str) -> bool:
    r"""False when ``text`` has neither an "@" nor a digit, nor the colons of an IPv6
    address ("::" or seven): every detector needs one (an IPv6 address may be all hex
    letters, ``dead:beef::cafe``). For ASCII text, ten substring scans (memchr) answer
    several times faster than ``\d``."""
    if "@" in text:
        return True
    if text.isascii():
        digit = (
            "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
            or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
        )  # fmt: skip
    else:
        digit = _HAS_DIGIT.search(text) is not None
    return digit or may_hold_ipv6(text)


def may_hold_ipv6(text: str) -> bool:
    """False when ``text`` surely holds no IPv6 address: one has "::" or seven colons."""
    return "::" in text or text.count(":") >= 7


#: Cheap screens, each necessary for some detectors: seven digits joined only by
#: phone/SSN/card separators; a dotted quad.
_SEVEN_DIGITS = re.compile(r"\d(?:[ ().+-]{0,3}\d){6}")
_DOTTED = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
#: The non-ASCII characters an ignore-case pattern matches to an ASCII letter that
#: ``str.lower`` does not give (found by trying every code point): "İ" and "ı" match "i",
#: "ſ" matches "s". ``_folded`` maps them first, so that a substring test on its result
#: finds every word the ``(?i)`` detectors can match.
FOLD = {0x130: "i", 0x131: "i", 0x17F: "s"}
#: What the labels of ``_MRN`` and ``_DOB`` each hold, folded (``_folded``): "mr" or
#: "medical"; "birth", "born" or an abbreviation of "date of birth".
LABELS = ("mr", "medical", "birth", "born", r"d\.?o\.?b")
_DOB_ABBREVIATION = re.compile(LABELS[-1])


def _folded(text: str) -> str:
    """``text`` lower-cased so that every substring an ignore-case detector matches to a
    lower-case ASCII word is that word in it (``FOLD``)."""
    if not text.isascii() and ("\u0130" in text or "\u0131" in text or "\u017f" in text):
        text = text.translate(FOLD)  # a dict translate: slow, so only when there is one
    return text.lower()


def may_name_mrn(folded: str) -> bool:
    """False when ``_MRN`` surely matches nothing in the text ``folded`` (``_folded``)
    comes from: each of its labels ("MRN", "MR#", "MR No", "medical record ...") holds
    "mr" or "medical". Natural text says "record" often, these rarely."""
    return "mr" in folded or "medical" in folded


def may_name_birth(folded: str) -> bool:
    """False when ``_DOB`` surely matches nothing in the text ``folded`` comes from: each
    of its labels holds "birth", "born" or an abbreviation "dob", "d.ob", "do.b", "d.o.b"
    (both of which hold "ob" or "o.b")."""
    if "birth" in folded or "born" in folded:
        return True
    return ("ob" in folded or "o.b" in folded) and _DOB_ABBREVIATION.search(folded) is not None


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_network(digits: str) -> bool:
    """Issuer prefixes and lengths of the major networks (Visa, Mastercard, Amex, ...)."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if digits.startswith("6011") or two == 65 or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    if 3528 <= four <= 3589 or two == 62:
        return 16 <= n <= 19
    if 300 <= int(digits[:3]) <= 305 or two in (36, 38, 39):
        return 14 <= n <= 19
    return False


def _ssn_valid(area: str, group: str, serial: str) -> bool:
    """SSA rules: no area 000, 666 or 900-999, no group 00, no serial 0000."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _ipv4_ok(text: str, start: int, value: str) -> bool:
    first = value.split(".", 1)[0]
    if first in ("0", "127", "255") or value.endswith(".255.0") or value.startswith("255."):
        return False
    return not _VERSION_BEFORE.search(text[max(0, start - 12) : start])


def find_pii(text: str, categories: frozenset[str] | set[str] | tuple[str, ...] = CATEGORIES,
             ignore_mailboxes: frozenset[str] = ROLE_MAILBOXES,
             digit_count: int | None = None) -> list[PiiMatch]:  # fmt: skip
    """Every PII value in ``text`` of the given categories, ordered by position.

    Overlaps are resolved in favour of the more specific category (an SSN is not also a
    phone number; a card number is not also a phone number). ``digit_count``: how many
    digits ``text`` holds, when the caller knows (a text's sign tells): fewer than seven
    rule out the phone, SSN and card scans, fewer than four the IPv4 and date of birth
    scans (the shortest date, ``1/2/34``, has four), fewer than two the medical record
    number scan (its number starts and ends with a digit), unread.
    """
    found: list[PiiMatch] = []
    has_at = "@" in text
    if not may_hold_pii(text):
        return found
    seven = (digit_count is None or digit_count >= 7) and _SEVEN_DIGITS.search(text) is not None
    labelled = digit_count is None or digit_count >= 2
    folded = _folded(text) if labelled and ("mrn" in categories or "dob" in categories) else ""
    if has_at and "email" in categories:
        for m in _EMAIL.finditer(text):
            if m[1].lower() not in ignore_mailboxes:
                found.append(PiiMatch("email", m.start(), m.end(), mask_email(m[0])))
    if "mrn" in categories and labelled and may_name_mrn(folded):
        for m in _MRN.finditer(text):
            found.append(PiiMatch("mrn", m.start(1), m.end(1), mask_tail(m[1], 2)))
    if "dob" in categories and (digit_count is None or digit_count >= 4) and may_name_birth(folded):
        for m in _DOB.finditer(text):
            found.append(PiiMatch("dob", m.start(1), m.end(1), _mask_date(m[1])))
    if seven and "ssn" in categories:
        for m in _SSN.finditer(text):
            if _ssn_valid(m[1], m[3], m[4]):
                found.append(PiiMatch("ssn", m.start(), m.end(), mask_digits(m[0], 4)))
        for m in _SSN_CONTEXT.finditer(text):
            found.append(PiiMatch("ssn", m.start(1), m.end(1), mask_digits(m[1], 4)))
    if seven and "card" in categories:
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m[0])
            if 13 <= len(digits) <= 19 and _card_network(digits) and luhn_ok(digits):
                found.append(PiiMatch("card", m.start(), m.end(), mask_digits(m[0], 4)))
    if seven and "phone" in categories:
        for rx in (_PHONE_US, _PHONE_INTL):
            for m in rx.finditer(text):
                n_digits = sum(c.isdigit() for c in m[0])
                if 10 <= n_digits <= 15:
                    found.append(PiiMatch("phone", m.start(), m.end(), mask_digits(m[0], 4)))
        for m in _PHONE_CONTEXT.finditer(text):
            found.append(PiiMatch("phone", m.start(1), m.end(1), mask_digits(m[1], 4)))
    if "ip" in categories:
        if (digit_count is None or digit_count >= 4) and "." in text and _DOTTED.search(text):
            for m in _IPV4.finditer(text):
                if _ipv4_ok(text, m.start(), m[1]):
                    found.append(
                        PiiMatch("ip", m.start(), m.end(), "***.***.***." + m[1].rsplit(".", 1)[1])
                    )
        if may_hold_ipv6(text):
            found += ipv6_matches(text)
    return _resolve(found)


def ipv6_matches(text: str) -> list[PiiMatch]:
    """The IPv6 addresses in ``text`` that are personal data: six or more hex digits (so
    not ``a::b``), a valid address, neither loopback nor unspecified; masked."""
    found = []
    for m in _IPV6.finditer(text):
        value = m[1]
        if sum(c != ":" for c in value) < 6:
            continue
        try:
            addr = ipaddress.IPv6Address(value)
        except ValueError:
            continue
        if not (addr.is_loopback or addr.is_unspecified):
            found.append(PiiMatch("ip", m.start(), m.end(), _mask_ipv6(value)))
    return found


_PRIORITY = {"mrn": 0, "dob": 1, "email": 2, "ssn": 3, "card": 4, "ip": 5, "phone": 6}


def _resolve(found: list[PiiMatch]) -> list[PiiMatch]:
    """Drop matches overlapping a higher-priority one (and exact repeats)."""
    if len(found) < 2:
        return found
    kept: list[PiiMatch] = []
    for m in sorted(found, key=lambda m: (_PRIORITY[m.category], m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def mask_pii(text: str, categories: tuple[str, ...] = CATEGORIES) -> str:
    """``text`` with every detected PII value replaced by its masked form."""
    matches = find_pii(text, categories)
    if not matches:
        return text
    out, pos = [], 0
    for m in matches:
        out.append(text[pos : m.start])
        out.append(m.masked)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)

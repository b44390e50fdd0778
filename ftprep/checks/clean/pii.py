"""PII: personal data in any turn, reported masked."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import Field

from ftprep.checks.base import CheckSettings, batch_form, example_check
from ftprep.checks.batch_view import NAMED, TOOLS, CheckBatch, Turns, messages_of, turns_of
from ftprep.checks.signs import digits_in, screen
from ftprep.pii.context import Scene, judge, never_personal
from ftprep.pii.detectors import (
    CATEGORIES,
    ROLE_MAILBOXES,
    find_pii,
    may_hold_ipv6,
    may_hold_pii,
    may_name_mrn,
)
from ftprep.schema import ChatExample, Message, PreferenceExample

Category = Literal["email", "phone", "ssn", "card", "ip", "dob", "mrn"]


class PiiSettings(CheckSettings):
    categories: list[Category] = Field(
        default_factory=lambda: list(CATEGORIES),  # type: ignore[arg-type]
        description="kinds of PII to look for",
    )
    ignore_mailboxes: list[str] = Field(
        default_factory=lambda: sorted(ROLE_MAILBOXES),
        description="e-mail local parts that name a team, not a person",
    )


def _texts(m: Message, text: str) -> Iterator[str]:
    yield text
    for call in m.tool_calls or ():
        args = (call.get("function") or {}).get("arguments")
        if isinstance(args, str):
            yield args
    if m.name:
        yield m.name


@example_check(
    "clean.pii",
    "clean",
    "error",
    "{count} examples contain personal data (PII)",
    settings=PiiSettings,
    fix="redact_pii",
    kinds=("chat", "preference", "text"),
)
def pii(ex: ChatExample | PreferenceExample, settings: PiiSettings) -> Iterator[str]:
    """Example contains someone's personal data.

    What: e-mail addresses (not team mailboxes such as `support@`), phone numbers (US
    formats with separators, international numbers with `+`, bare digits only after a
    phone word), US social security numbers (valid area/group/serial; any nine digits right
    after "SSN" or "social security number"), payment card numbers
    (13–19 digits, a known issuer prefix and a valid Luhn checksum), IPv4/IPv6 addresses
    (not loopback, not version numbers), and — only next to their context words — dates of
    birth ("DOB", "date of birth"; after "born" only in a personal context such as "I was
    born", "the patient was born") and medical record numbers ("MRN", "medical record
    number", "MR#"), in every turn and tool-call argument — *when the value is someone's*.
    An error fires for real-looking values in prose (a customer's e-mail or phone in a
    support message or transcript, "Patient DOB: 03/14/1962, MRN 00482913", an SSN, a
    card number) and for reserved or fictional values given as someone's contact details
    ("the patient's daughter at jane.doe@example.com or (555) 014-2231": shaped like
    personal data, and the next record may hold a real one).
    Not reported, because they are examples of personal data, not personal data: published
    test card numbers (4111 1111 1111 1111, 4242 4242 4242 4242, ...), the SSA's advertising
    SSNs (987-65-4320–4329) and placeholder digits (123-456-7890); template mailboxes
    (`yourname@yourdomain.com`, `user@email.com`, `john.doe@company.com`); public DNS
    resolvers (8.8.8.8, 1.1.1.1); and, unless the sentence makes them someone's, domains
    reserved by RFC 2606/6761 (`example.com/.net/.org`, `*.example`, `*.test`, `*.invalid`,
    `*.localhost`), placeholder names as mailboxes (`jane.doe@...`), 555 and UK drama-range
    numbers, documentation and private IP ranges. Nor is anything inside a code block or
    inline code, in a message about regular expressions or validating a format, introduced
    as an example ("e.g.", "such as", "in the format"), inside arithmetic ("123456789 +
    987654321", "the sum of ..."), or in a conversation whose prompt asks for hypothetical,
    fictional, fake, dummy, sample or random data; nor a public figure's birth date in
    encyclopedic text ("Bill Gates was born on October 28, 1955") or a date given to an
    age calculator ("a person born on June 12, 1990"). Dates that are not birth dates,
    ICD-10 codes, prices, order ids and version numbers are left alone.
    Every finding and report shows the value masked (`j***@e***.com`, `(***) ***-2231`,
    `***-**-6789`, `**** **** **** 1111`, `MRN: ******13`), never in clear; masking in
    reports covers example values too.
    Why: a finetuned model memorises rare strings and can reproduce them for anyone; for
    medical, legal and financial data, training on identifiers is also a compliance problem
    (HIPAA Safe Harbor lists phone numbers, e-mail, SSNs, MRNs, IP addresses and birth dates).
    On public instruction sets the pattern layer alone was right 0 times in 43; every one
    of those was an example value of the kinds above.
    Threshold: any match judged personal; `categories` selects the kinds looked for
    (default: all), `ignore_mailboxes` the team mailboxes that are not personal.
    Fix: replace identifiers with realistic fake values or typed tokens (`[EMAIL]`) at the
    source, consistently across the set. ftprep never rewrites them itself.
    """
    categories = frozenset(settings.categories)
    ignore = frozenset(settings.ignore_mailboxes)
    found = pii_in(turns_of(ex), messages_of(ex), categories, ignore)
    if found:
        yield found


#: Rows whose messages hold texts besides their content (tool-call arguments, names).
OTHER_TEXTS = TOOLS | NAMED
#: What every detector but the IPv6 one needs one of.
_SIGN_SCREEN = screen(b"@0123456789")
#: A digit, ASCII or not (what the detectors' ``\d`` matches).
_DIGIT = re.compile(r"\d")
#: The kinds of example ``clean.pii`` reads.
_KINDS = ("chat", "preference", "text")


def _may_hold(sign: bytes, texts: Sequence[str]) -> bool:
    """False when no detector can find anything in ``texts``, ASCII texts whose signs end
    to end are ``sign`` (``checks.signs``, which keeps every "@", colon and digit).

    Natural text holds a few digits in most messages ("2 minutes", "the 5th"); the
    detectors need many more, or an "@" or colons: an e-mail address its "@"; an IPv6
    address "::" or seven colons (the sign's colons, run together, only tell where to
    look); a card, SSN or phone number seven digits; an IPv4 address or a date of birth
    four; a medical record number two, and a label holding "mr" or "medical"
    (``detectors.may_name_mrn``)."""
    if 64 in sign:  # "@"
        return True
    if (b"::" in sign or sign.count(58) >= 7) and any(map(may_hold_ipv6, texts)):  # 58: ":"
        return True
    digits = digits_in(sign)
    if digits >= 4:
        return True
    return digits >= 2 and any(may_name_mrn(text.lower()) for text in texts)


def pii_in(
    turns: Turns,
    messages: list[Message],
    categories: frozenset[str],
    ignore: frozenset[str],
    signs: Sequence[bytes | None] | None = None,
) -> str | None:
    """``clean.pii``'s detail for an example's ``(role, text)`` turns and their messages
    (read only for tool-call arguments and names), or None. ``signs``: the turns' signs,
    when known: a message whose sign :func:`_may_hold` rules out has no PII in its text."""
    found: dict[str, None] = {}
    scene: Scene | None = None
    for i, ((role, own), m) in enumerate(zip(turns, messages, strict=True), start=1):
        sign = None if signs is None else signs[i - 1]
        for text in _texts(m, own) if m.tool_calls or m.name else (own,):
            if text is own and sign is not None:
                if not _may_hold(sign, (text,)):
                    continue
            elif not text or not may_hold_pii(text):
                continue  # what find_pii rules out first, without the call
            if text is not own:
                digits = None
            elif sign is None:  # one scan counting every digit, for find_pii's screens
                digits = len(_DIGIT.findall(text))
            else:
                digits = digits_in(sign)
            for match in find_pii(text, categories, ignore, digits):
                if never_personal(text, match):
                    continue  # a public or template value: judge would say so
                if scene is None:
                    scene = Scene.of([t for r, t in turns if r != "assistant"])
                if judge(text, match, scene).personal:
                    found[f"{match.category} {match.masked} in message {i} ({role})"] = None
    return "; ".join(found) if found else None


@batch_form("clean.pii")
def pii_rows(batch: CheckBatch, settings: PiiSettings) -> Iterator[tuple[int, str]]:
    """``clean.pii`` on the batch's shared texts, on the rows that have texts besides
    their contents or whose sign :func:`_may_hold` does not rule out."""
    categories = frozenset(settings.categories)
    ignore = frozenset(settings.ignore_mailboxes)
    turns, row_signs, marks, texts = batch.turns, batch.row_signs, batch.marks, batch.texts
    for row in batch.rows(_KINDS):
        sign = row_signs[row]
        if (
            sign is not None
            and not marks[row] & OTHER_TEXTS
            and (
                # what _may_hold tells first of most rows, in operators: no "@", no digit,
                # no colon (58), or too few for an IPv6 address
                (
                    _SIGN_SCREEN.isdisjoint(sign)
                    and (58 not in sign or (b"::" not in sign and sign.count(58) < 7))
                )
                or not _may_hold(sign, texts[row])
            )
        ):
            continue
        messages = messages_of(batch.examples[row])
        found = pii_in(turns[row], messages, categories, ignore, batch.signs(row))
        if found:
            yield row, found

"""The PII detectors' screens never cost a match: ``find_pii`` equals every detector run
on every text, unscreened, and ``clean.pii`` equals the rule judged on every match.

Natural text holds digits and words like "record" or "Mr." in many messages; the screens
in front of the detectors rule most of them out. A screen may only ever say "cannot
match" when the detector it stands for finds nothing, for any text: the medical and legal
users of ``clean.pii`` count on its recall. The texts here mix the detectors' values and
labels with the characters ignore-case matching folds ("İ", "ı", "ſ", "K"), odd separators
and plain words.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.checks.batch_view import CheckBatch, turns_of
from ftprep.checks.clean import pii
from ftprep.pii import context, detectors
from ftprep.pii.detectors import CATEGORIES, ROLE_MAILBOXES, PiiMatch, find_pii
from ftprep.schema import ChatExample, Message, SourceLocation


def _find_pii_unscreened(text: str) -> list[PiiMatch]:
    """``find_pii`` with no screen: every detector over the whole text."""
    d = detectors
    found: list[PiiMatch] = []
    for m in d._EMAIL.finditer(text):
        if m[1].lower() not in ROLE_MAILBOXES:
            found.append(PiiMatch("email", m.start(), m.end(), d.mask_email(m[0])))
    for m in d._MRN.finditer(text):
        found.append(PiiMatch("mrn", m.start(1), m.end(1), d.mask_tail(m[1], 2)))
    for m in d._DOB.finditer(text):
        found.append(PiiMatch("dob", m.start(1), m.end(1), d._mask_date(m[1])))
    for m in d._SSN.finditer(text):
        if d._ssn_valid(m[1], m[3], m[4]):
            found.append(PiiMatch("ssn", m.start(), m.end(), d.mask_digits(m[0], 4)))
    for m in d._SSN_CONTEXT.finditer(text):
        found.append(PiiMatch("ssn", m.start(1), m.end(1), d.mask_digits(m[1], 4)))
    for m in d._CARD.finditer(text):
        digits = re.sub(r"\D", "", m[0])
        if 13 <= len(digits) <= 19 and d._card_network(digits) and d.luhn_ok(digits):
            found.append(PiiMatch("card", m.start(), m.end(), d.mask_digits(m[0], 4)))
    for rx in (d._PHONE_US, d._PHONE_INTL):
        for m in rx.finditer(text):
            if 10 <= sum(c.isdigit() for c in m[0]) <= 15:
                found.append(PiiMatch("phone", m.start(), m.end(), d.mask_digits(m[0], 4)))
    for m in d._PHONE_CONTEXT.finditer(text):
        found.append(PiiMatch("phone", m.start(1), m.end(1), d.mask_digits(m[1], 4)))
    for m in d._IPV4.finditer(text):
        if d._ipv4_ok(text, m.start(), m[1]):
            masked = "***.***.***." + m[1].rsplit(".", 1)[1]
            found.append(PiiMatch("ip", m.start(), m.end(), masked))
    found += d.ipv6_matches(text)  # the address rule itself, without may_hold_ipv6's screen
    return d._resolve(found)


_TOKENS = (
    "jo@x.io", "support@acme.com", "555-0142", "(415) 555-0199", "+44 20 7946 0958",
    "123-45-6789", "SSN", "4111 1111 1111 1111", "4539 1488 0343 6467", "10.0.0.1",
    "8.8.8.8", "203.0.113.9", "2001:db8::1", "fe80::1:2:3:4", "2abc::d:e", "DOB", "D.OB",
    "do.b", "d.o.b", "date of birth", "DATE OF BİRTH", "bırthday", "born on", "was born",
    "Mr No", "MR\tNo", "MR  #", "MRN", "mr#", "Mr.", "medical record number",
    "MEDİCAL RECORD #", "record", "03/14/1962", "1/2/34", "1---2", "MRN 1---2", "DOB 1/2/34",
    "MR# 12-34", "June 12, 1990", "00482913", "1-2-3-4-5", "1", "12", ".", ":", " ", "\n",
    "call", "patient", "my", "v1.2.3.4", "٣", "Ⅻ", "İ", "ı", "ſ", "\u212a", "K", "e.g.",
    "```", "`", "dead:beef::cafe", "a:b:c:d:e:f:a:b", "٣.٣.٣.٣", "phone ５５５５５５５５５５",
    "١٢٣-٤٥-٦٧٨٩", "中文",
)  # fmt: skip
_TEXTS = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=10).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60),
)


@settings(max_examples=600, deadline=None)
@given(_TEXTS)
def test_find_pii_equals_every_detector_unscreened(text: str) -> None:
    expected = _find_pii_unscreened(text)
    assert find_pii(text) == expected
    count = sum(c.isdigit() for c in text) if text.isascii() else None
    assert find_pii(text, CATEGORIES, ROLE_MAILBOXES, count) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Patient D.OB: 03/14/1962",
        "DO.B 03/14/1962",
        "DATE OF BİRTH: 03/14/1962",
        "Date of bırth: 03/14/1962",
        "MR\t# 00482913",
        "MR  No 00482913",
        "MEDİCAL RECORD # 00482913",
    ],
)
def test_labels_the_earlier_context_screen_missed(text: str) -> None:
    """Each is found by its detector; the screen that looked for fixed spellings of the
    labels ("dob", "mr #", ...) in ``str.lower`` ruled them out."""
    found = find_pii(text)
    assert found and found == _find_pii_unscreened(text)


@pytest.mark.parametrize(
    "text",
    [
        "Patient MRN 1---2",
        "Patient DOB 1/2/34",
        "my MR# 12-34",
        "seen at 2abc::d:e",
        "my server is at dead:beef::cafe",
        "my address is A:B:C:D:E:F:A:B",
        "logged in from abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        "患者 MRN ١---٢",
        "从 ٣.٣.٣.٣ 登录",
    ],
)
def test_values_with_the_fewest_digits_are_found(text: str) -> None:
    """The digit counts the screens ask for are the fewest each detector's values hold:
    a medical record number of two digits, a date of birth of four, an IPv6 address of
    one."""
    expected = _find_pii_unscreened(text)
    assert expected and find_pii(text) == expected
    assert list(pii.pii(_chat([text]), pii.PiiSettings()))
    assert list(pii.pii_rows(CheckBatch([_chat([text])], [_chat([text])]), pii.PiiSettings()))


def _chat(texts: list[str], line: int = 1) -> ChatExample:
    messages = [Message(role=("user", "assistant")[i % 2], content=t) for i, t in enumerate(texts)]
    return ChatExample(messages=messages, location=SourceLocation(source="t", line=line))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_label_screens_pass_every_text_their_detector_matches(text: str) -> None:
    folded = detectors._folded(text)
    if detectors._MRN.search(text):
        assert detectors.may_name_mrn(folded)
    if detectors._DOB.search(text):
        assert detectors.may_name_birth(folded)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=3), st.sampled_from(["", "make up a fake patient"]))
def test_never_personal_matches_are_never_judged_personal(texts: list[str], ask: str) -> None:
    scene = context.Scene.of([ask])
    for text in texts:
        for match in find_pii(text):
            if context.never_personal(text, match):
                assert not context.judge(text, match, scene).personal
                assert not context.judge(text, match).personal


def _pii_unscreened(turns: list[tuple[str, str]], settings: pii.PiiSettings) -> str | None:
    """``clean.pii``'s rule with no screen: every match of every text judged."""
    found: dict[str, None] = {}
    scene = context.Scene.of([t for r, t in turns if r != "assistant"])
    for i, (role, text) in enumerate(turns, start=1):
        for match in _find_pii_unscreened(text):
            if match.category in settings.categories and context.judge(text, match, scene).personal:
                found[f"{match.category} {match.masked} in message {i} ({role})"] = None
    return "; ".join(found) if found else None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TEXTS, min_size=1, max_size=4), min_size=1, max_size=6))
def test_clean_pii_batch_equals_the_rule_unscreened(rows: list[list[str]]) -> None:
    examples = [_chat(texts, n) for n, texts in enumerate(rows)]
    batch = CheckBatch(examples, examples)
    settings_ = pii.PiiSettings()
    got = list(pii.pii_rows(batch, settings_))
    expected = []
    for row, ex in enumerate(examples):
        found = _pii_unscreened(turns_of(ex), settings_)
        if found:
            expected.append((row, found))
    assert got == expected

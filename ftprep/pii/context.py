"""Telling someone's personal data from an example of it.

A pattern finds values shaped like PII; whether a value is *someone's* data depends on the
value and on where it stands. Finetuning sets written by others are full of examples:
``user@example.com`` in a tutorial, ``(555) 123-4567`` asked for as a hypothetical number,
``4111 1111 1111 1111`` as a test card, an address inside a regex explanation or a code
block, digit runs that are addends of a sum, a public figure's birth date. None of these is
personal data, and reporting them as errors teaches users to ignore the check.

Each match is judged in three tiers, then against its context:

1. *Public or template values* are never personal: published test card numbers, the SSA's
   advertising SSNs (987-65-4320 to 4329, 078-05-1120), digit runs such as 123-456-7890
   or 000-00-0000, public DNS resolvers (8.8.8.8, 1.1.1.1), and template mailboxes
   (``yourname@...``, ``...@yourdomain.com``, ``user@email.com``, ``john.doe@company.com``).
2. *Reserved or fictional values* are personal only in a personal context: domains reserved
   by RFC 2606/6761 (``example.com``, ``*.example``, ``*.test``, ``*.invalid``,
   ``*.localhost``), placeholder names as mailboxes (``john.doe@...``, ``jane.doe@...``),
   US numbers with a 555 area code or exchange (555-0100 to 555-0199 are reserved for fiction)
   and the UK's drama ranges, documentation and private IP ranges. A support transcript or a
   clinical note that gives a patient's relative's contact details is shaped like personal
   data even with a reserved domain (and the next record may hold a real one), so there
   the value is still reported.
3. *Everything else* is personal unless its context says it is an example.

Example contexts, which win over everything: a code block or inline code span, a message
about regular expressions or validating a format, a conversation whose prompt asks for
hypothetical, fictional, fake, dummy or sample data, an example phrase right before the
value ("e.g.", "for example", "such as", "something like", "in the format"), and arithmetic
around a digit run ("123456789 + 987654321", "the sum of ...").

A date of birth after a record label ("DOB", "date of birth") is personal; after "born"
only with a personal context ("I was born", "the patient was born"): "Bill Gates was born
on October 28, 1955" and "a person born on June 12, 1990" are not someone's record.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from dataclasses import dataclass

from ftprep.pii.detectors import PiiMatch

#: Domains reserved for documentation and testing (RFC 2606, RFC 6761).
RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org", "localhost"})
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})
#: Domains that stand for "some domain" in templates and tutorials.
PLACEHOLDER_DOMAINS = frozenset(
    {
        "domain.com", "yourdomain.com", "mydomain.com", "company.com", "yourcompany.com",
        "mycompany.com", "email.com", "youremail.com", "emailaddress.com", "website.com",
        "yourwebsite.com", "mywebsite.com", "site.com", "yoursite.com", "somewhere.com",
        "someone.com", "somedomain.com", "sample.com", "xyz.com", "abc.com", "foo.com",
        "bar.com", "foobar.com", "organization.com", "business.com", "yourbusiness.com",
        "host.com", "server.com", "provider.com", "school.edu", "university.edu",
    }
)  # fmt: skip
#: Local parts that are a template, not a person.
PLACEHOLDER_LOCALS = frozenset(
    {
        "yourname", "your.name", "your_name", "youremail", "your.email", "your_email",
        "yourusername", "your.username", "username", "user.name", "user_name", "name",
        "firstname.lastname", "first.last", "firstname_lastname", "firstnamelastname",
        "firstname", "lastname", "fname.lname", "name.surname", "email", "emailaddress",
        "someone", "somebody", "example", "sample", "test", "testuser", "test.user", "foo",
        "bar", "foo.bar", "xyz", "abc", "xxx", "recipient", "sender", "you", "me", "user",
    }
)  # fmt: skip
#: Names that stand for "a person" (John Doe and friends) used as mailboxes.
PLACEHOLDER_NAMES = frozenset(
    {
        "john.doe", "jane.doe", "johndoe", "janedoe", "john_doe", "jane_doe", "jdoe", "john",
        "jane", "john.smith", "jane.smith", "johnsmith", "janesmith", "j.doe", "alice", "bob",
        "user1", "user123", "customer", "client", "employee", "student", "admin1",
    }
)  # fmt: skip

#: Published test card numbers (Stripe, Braintree, Adyen, PayPal sandbox docs).
TEST_CARDS = frozenset(
    {
        "4111111111111111", "4242424242424242", "4012888888881881", "4000056655665556",
        "4222222222222", "4000000000000002", "4000000000000077", "4000000000009995",
        "4005519200000004", "4009348888881881", "4012000033330026", "4012000077777777",
        "4217651111111119", "4500600000000061", "4111111111111", "4462030000000000",
        "5555555555554444", "5105105105105100", "5200828282828210", "5431111111111111",
        "2223003122003222", "2223000048400011", "5454545454545454", "5500000000000004",
        "378282246310005", "371449635398431", "378734493671000", "340000000000009",
        "6011111111111117", "6011000990139424", "6011000400000000", "6011601160116611",
        "3530111333300000", "3566002020360505", "30569309025904", "38520000023237",
        "36227206271667", "6200000000000005", "6250941006528599",
    }
)  # fmt: skip
#: Social security numbers the SSA published or that are famous examples.
PUBLIC_SSNS = frozenset({"078051120", "219099999", "457555462"}) | {
    f"98765432{d}" for d in range(10)
}
#: Public DNS resolvers and similar well-known service addresses.
PUBLIC_IPS = frozenset(
    {"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
     "208.67.222.222", "208.67.220.220", "4.2.2.2", "4.2.2.1", "64.6.64.6", "94.140.14.14"}
)  # fmt: skip
_DOC_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)

# --- context patterns ----------------------------------------------------------------------

#: Words saying the value belongs to someone: first person, records, relatives, logs.
#: A number a business publishes for customers to call: advertising, not someone's data.
_BUSINESS = re.compile(
    r"(?i)\b(?:call\s+us|contact\s+us|reach\s+us|visit\s+us|call\s+(?:now|today)"
    r"|give\s+(?:[\w&'.-]+\s+){1,6}a\s+call|toll[-\s]free|our\s+(?:office|offices|store"
    r"|shop|clinic|showroom|hotline|help\s*desk|sales\s+team)|for\s+(?:more\s+information"
    r"|a\s+free\s+(?:quote|estimate)|appointments?|reservations?),?\s+(?:call|phone|dial))\b"
)
_PERSONAL = re.compile(
    r"(?i)\b(?:my|me|mine|i|i'm|i've|i'd|patient|patient's|customer|customer's|client"
    r"|caller|member|subscriber|applicant|employee|tenant|resident|guardian|beneficiary"
    r"|account\s+holder|cardholder|card\s+holder|policyholder|insured|claimant|registration"
    r"|next\s+of\s+kin|emergency\s+contact|daughter|son|wife|husband|mother|father|mom|mum"
    r"|dad|brother|sister|spouse|partner|relative|parent|grandmother|grandfather|child"
    r"|log(?:ged)?\s*in\s+from|signed\s+in\s+from|logs?\s+show|connected\s+from|public\s+ip"
    r"|device\s+shows"
    r"|reach\s+(?:me|him|her|them)|reply\s+to|contact\s+(?:me|him|her|them)"
    r"|d\.?o\.?b\.?|ssn|mrn|date\s+of\s+birth)\b"
)
#: An example phrase right before the value.
_EXAMPLE_BEFORE = re.compile(
    r"(?i)(?:\be\.?g\.?|\bi\.e\.|\bfor\s+(?:example|instance)|\bsuch\s+as|\bsomething\s+like"
    r"|\blike|\bexample|\bsample|\bformat(?:ted)?(?:\s+(?:as|like|of))?|\bplaceholder"
    r"|\bdummy|\bfake|\bfictional|\bfictitious|\bhypothetical|\bimaginary|\bmade[- ]up"
    r"|\bpattern|\bmatches|\bmatch|\bvalid(?:ate|ates|ating)?|\binvalid)\W{0,6}$"
)
#: A message about formats, patterns and validation: every value in it is an example.
_FORMAT_TOPIC = re.compile(
    r"(?i)\b(?:regex(?:es|p)?|regular\s+expressions?|re\.(?:match|search|compile|findall)"
    r"|validat(?:e|es|ing|ion|or)|(?:valid|invalid)\s+(?:e-?mail|phone|number"
    r"|address|card|ssn|ip)|format\s+(?:of|for)\s+(?:an?\s+)?(?:e-?mail|phone|number|address"
    r"|card|ssn|date|ip)|placeholder|dummy|hypothetical|fictional|fictitious|made[- ]up)\b"
)
#: A prompt asking for invented data: everything in the conversation is an example.
_INVENTED = re.compile(
    r"(?i)\b(?:make\s+up|invent|fabricate)\b|\b(?:generate|create|give\s+me|provide|produce"
    r"|write|come\s+up\s+with|list|fill|populate|need)\W+(?:\w+\W+){0,6}?(?:hypothetical"
    r"|fictional|fictitious|imaginary|made[- ]up|dummy|mock|fake|placeholder|synthetic|sample"
    r"|random|example|test)\s+(?:[\w-]+\s+){0,2}?(?:data|records?|numbers?|names?|e-?mails?"
    r"|addresses|address|phones?|profiles?|persons?|people|customers?|patients?|users?|cards?"
    r"|ssns?|identit(?:y|ies)|details|information|contacts?|entries|entry|dataset|characters?"
    r"|credentials|accounts?|dates?|birthdays?|ips?)\b"
)
_ARITH_WORDS = re.compile(
    r"(?i)\b(?:sum|add|adding|added|addends?|plus|minus|subtract|subtracting|times|multiply"
    r"|multiplied|multiplying|product|divide|divided|dividing|quotient|difference|calculate"
    r"|compute|total\s+of|equals?|remainder|modulo|mod|factor(?:ial|ize)?|prime|digits?)\b"
)
_OPERATOR = re.compile(r"[+*/×÷=^%]|\s-\s|\d\s*-\s*\d")
_CODE_WORDS = re.compile(
    r"(?m)^\s*(?:import |from \w+ import|def |class |function |const |let |var |public |"
    r"private |#include|SELECT |INSERT |<\?php|\$ |>>> )"
)
#: A business's own published contact: "call us at", "give Acme Heating a call at",
#: "contact our office". Advertised numbers and addresses name an organisation, not a person.
_ORGANISATION = re.compile(
    r"(?i)\b(?:call|contact|reach|email|e-mail|text|visit|write\s+to)\s+us\b|\bgive\s+(?:[A-Z][\w&'.-]*\s+)+"
    r"(?:a\s+)?(?:call|ring)\b|\bour\s+(?:office|team|store|shop|clinic|front\s+desk|hotline"
    r"|helpline|support|sales|customer\s+service)\b|\b(?:inc|llc|ltd|gmbh|corp|corporation"
    r"|company|services|experts|hotline|helpline|headquarters|hq)\b\.?"
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_NON_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class Scene:
    """What the whole conversation says about its values: does the prompt ask for invented
    data (a hypothetical record, a fake number, sample addresses)?"""

    invented: bool = False

    @classmethod
    def of(cls, prompt_texts: list[str]) -> Scene:
        return cls(invented=any(_INVENTED.search(t) for t in prompt_texts if t))


@dataclass(frozen=True)
class Judgement:
    """Whether a match is someone's personal data, and if not, why."""

    personal: bool
    reason: str = ""


PERSONAL = Judgement(True)
#: A conversation that says nothing about its values.
PLAIN = Scene()


def _sentence(text: str, start: int, end: int) -> tuple[str, str]:
    """The part of the sentence before the value (up to 160 characters) and after it
    (up to 80)."""
    lo = max(0, start - 160)
    before = text[lo:start]
    cut = None
    for m in _SENTENCE_END.finditer(before):
        cut = m.end()
    if cut is not None:
        before = before[cut:]
    after = text[end : end + 80]
    stop = _SENTENCE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return before, after


def _in_code(text: str, start: int) -> bool:
    """Inside a fenced block, an inline code span, or a message that is code."""
    head = text[:start]
    if head.count("```") % 2 == 1 or head.count("~~~") % 2 == 1:
        return True
    line_start = head.rfind("\n") + 1
    if head[line_start:].count("`") % 2 == 1:
        return True
    return len(_CODE_WORDS.findall(text)) >= 2


def _arithmetic(before: str, after: str) -> bool:
    near = before[-30:] + " " + after[:30]
    return bool(_OPERATOR.search(near)) or bool(_ARITH_WORDS.search(before[-60:] + after[:40]))


def _digits(value: str) -> str:
    return _NON_DIGIT.sub("", value)


def _monotone(digits: str) -> bool:
    """One repeated digit, or a run counting up or down (1234567890, 9876543210)."""
    if len(set(digits)) == 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


def _value_tier(category: str, value: str) -> tuple[int, str]:
    """(1 public/template, 2 reserved/fictional, 3 real-looking) and the reason."""
    if category == "email":
        local, _, domain = value.lower().rpartition("@")
        tld = domain.rsplit(".", 1)[-1]
        if (
            domain in PLACEHOLDER_DOMAINS
            or local in PLACEHOLDER_LOCALS
            or local.startswith(("your", "my.email", "myemail", "firstname"))
        ):
            return 1, "template address"
        if (
            domain in RESERVED_DOMAINS
            or tld in RESERVED_TLDS
            or domain.endswith((".example.com", ".example.org", ".example.net"))
        ):
            return 2, "reserved domain"
        if local in PLACEHOLDER_NAMES:
            return 2, "placeholder name"
        return 3, ""
    if category in ("phone", "ssn", "card"):
        digits = _digits(value)
        if _monotone(digits) or digits in ("1234567890", "0123456789", "123456789"):
            return 1, "placeholder digits"
        if category == "card":
            return (1, "test card number") if digits in TEST_CARDS else (3, "")
        if category == "ssn":
            if digits in PUBLIC_SSNS or digits.startswith("123456789"):
                return 1, "published example SSN"
            return 3, ""
        return _phone_tier(digits)
    if category == "ip":
        return _ip_tier(value)
    return 3, ""


def _phone_tier(digits: str) -> tuple[int, str]:
    nanp = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(nanp) == 10 and ("555" in (nanp[:3], nanp[3:6])):
        return 2, "fictional 555 number"
    if len(nanp) == 10 and nanp[3:] in ("1234567", "5551234", "5555555"):
        return 1, "placeholder digits"
    uk = digits[2:] if digits.startswith("44") else digits.lstrip("0")
    if uk.startswith(("2079460", "1632960", "7700900", "1134960", "1174960", "1184960")):
        return 2, "fictional UK number"
    return 3, ""


def _ip_tier(value: str) -> tuple[int, str]:
    if value.startswith("***"):
        return 3, ""
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return 3, ""
    if value in PUBLIC_IPS:
        return 1, "public service address"
    if any(addr in net for net in _DOC_NETS):
        return 2, "documentation address range"
    if addr.is_private or addr.is_link_local or addr.is_multicast or addr.is_reserved:
        return 2, "private address"
    return 3, ""


def never_personal(text: str, match: PiiMatch) -> bool:
    """True when :func:`judge` says "not personal" of ``match`` whatever the text and
    the scene: its value is a public or template one (tier 1: a public DNS resolver, a
    test card number, placeholder digits, a template mailbox). Every branch of ``judge``
    before the value's tier says "not personal" or is about dates of birth (tier 3), so
    the tier alone decides; natural text quotes 8.8.8.8 far more often than it holds
    personal data, and this spares judging its sentence and reading the conversation."""
    return _value_tier(match.category, text[match.start : match.end])[0] == 1


def judge(text: str, match: PiiMatch, scene: Scene = PLAIN) -> Judgement:
    """Is ``match`` (found in ``text``) someone's personal data?"""
    value = text[match.start : match.end]
    if _in_code(text, match.start):
        return Judgement(False, "inside code")
    if scene.invented:
        return Judgement(False, "the prompt asks for invented data")
    if _FORMAT_TOPIC.search(text):
        return Judgement(False, "in a text about formats or validation")
    before, after = _sentence(text, match.start, match.end)
    if _EXAMPLE_BEFORE.search(before):
        return Judgement(False, "introduced as an example")
    if match.category in ("phone", "ssn", "card") and _arithmetic(before, after):
        return Judgement(False, "digits inside arithmetic")
    if match.category == "dob":
        label = text[max(0, match.start - 40) : match.start]
        if re.search(r"(?i)(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date)\W*(?:is|was|of)?\W*$",
                     label):  # fmt: skip
            return PERSONAL
        return PERSONAL if _PERSONAL.search(before) else Judgement(False, "not a record")
    if (
        match.category in ("phone", "email")
        and _ORGANISATION.search(before)
        and not _PERSONAL.search(before)
    ):
        return Judgement(False, "an organisation's published contact")
    around = before + " " + after
    if match.category == "phone" and _BUSINESS.search(around) and not _PERSONAL.search(around):
        return Judgement(False, "a business's published number")
    tier, reason = _value_tier(match.category, value)
    if tier == 1:
        return Judgement(False, reason)
    if tier == 2:
        return PERSONAL if _PERSONAL.search(before + " " + after) else Judgement(False, reason)
    return PERSONAL

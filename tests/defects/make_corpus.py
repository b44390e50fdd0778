"""Generate the seeded-defect corpus: realistic clean examples with defects at known lines.

    python -m tests.defects.make_corpus          # rewrites corpus.jsonl and expected.json

Deterministic for a seed. Six tasks (support, medical coding, legal summaries, code help,
sentiment labels, JSON extraction), each with its own system prompt, supply the clean
examples; every defect kind the clean and consistent checks look for is injected in many
surface forms (different refusal phrasings, placeholder syntaxes, mojibake sources, PII
formats, truncation styles, ...). ``expected.json`` lists, per line, the defect kind and the
check id that must report it, the clean lines, and the hard-negative lines (text that looks
like a defect but is not, which must produce no finding at all).

A defect that involves two examples (a contradiction, a near duplicate) lists both lines:
the check reports the group, and neither line is clean.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.defects.domains import GENERATORS, HARD_NEGATIVES, SYSTEM

HERE = Path(__file__).resolve().parent
SEED = 20240607
CLEAN_COUNTS = {
    "support": 420,
    "medical": 380,
    "legal": 340,
    "code": 260,
    "classify": 420,
    "extract": 380,
}
PER_KIND = 24

Record = dict[str, Any]
Injected = list[tuple[Record, str]]  # (record, check id)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class Corpus:
    """Unique clean examples on demand, plus the defect injectors."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def fresh(self, domain: str) -> Record:
        """A new clean example of ``domain`` whose input was never generated before."""
        for _ in range(1000):
            ex = GENERATORS[domain](self.rng)
            key = domain + "\x1e" + _norm(" ".join(m["content"] for m in ex["messages"][:-1]))
            if key not in self.seen:
                self.seen.add(key)
                return {
                    "messages": [{"role": "system", "content": SYSTEM[domain]}, *ex["messages"]]
                }
        raise RuntimeError(f"cannot generate more unique {domain} examples")

    def pick(self, domains: tuple[str, ...]) -> tuple[str, Record]:
        domain = self.rng.choice(domains)
        return domain, self.fresh(domain)


def _answer(rec: Record) -> dict[str, Any]:
    return next(m for m in reversed(rec["messages"]) if m["role"] == "assistant")


def _user(rec: Record) -> dict[str, Any]:
    return next(m for m in rec["messages"] if m["role"] == "user")


def _copy(rec: Record) -> Record:
    return json.loads(json.dumps(rec))


def _surface(rng: random.Random, text: str) -> str:
    """Same text after normalisation: case, spacing and punctuation changes only."""
    choice = rng.randrange(4)
    if choice == 0:
        return text.lower()
    if choice == 1:
        return "  ".join(text.split(" ")).rstrip(".?!") + " "
    if choice == 2:
        return text.upper()
    return re.sub(r"(?<!\d)[,.?](?!\d)", lambda m: "" if m[0] == "," else " " + m[0], text)


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not idx:
        return text + " please"
    i = rng.choice(idx)
    w = words[i]
    swaps = [j for j in range(1, len(w) - 2) if w[j] != w[j + 1]]
    if not swaps:
        return text + " please"
    j = rng.choice(swaps)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _word_edit(rng: random.Random, text: str) -> str:
    """A light edit a person would make: a typo, a filler word, a greeting."""
    choice = rng.randrange(4)
    if choice == 0:
        return _typo(rng, text)
    if choice == 1:
        return (
            text.rstrip() + " " + rng.choice(["Thanks!", "Thank you.", "Please advise.", "Cheers."])
        )
    if choice == 2:
        return rng.choice(["Hi, ", "Hello! ", "Quick one: ", "Hey there, "]) + text
    return _typo(rng, text) + " " + rng.choice(["Thanks.", "Please help."])


# --- pair defects --------------------------------------------------------------------------

PAIR_DOMAINS = ("support", "medical", "legal", "classify", "extract", "code")


def _different_answer(c: Corpus, domain: str, rec: Record) -> str:
    old = _answer(rec)["content"]
    if domain == "classify":
        return c.rng.choice([x for x in ("Positive", "Negative", "Neutral") if x != old])
    for _ in range(50):
        other = _answer(c.fresh(domain))["content"]
        if _norm(other) != _norm(old):
            return other
    raise RuntimeError("no different answer")


#: Tasks whose answers are labels: a class, a JSON extraction, an ICD-10 code leading its
#: rationale. Two of them for one input contradict (an error); two different free-text
#: answers (support, legal summaries, code help) diverge, which is a warning.
LABEL_DOMAINS = ("classify", "extract", "medical")


def contradiction(c: Corpus) -> Injected:
    domain, a = c.pick(PAIR_DOMAINS)
    b = _copy(a)
    _user(b)["content"] = _surface(c.rng, _user(b)["content"])
    _answer(b)["content"] = _different_answer(c, domain, a)
    check = "clean.contradiction" if domain in LABEL_DOMAINS else "clean.near_contradiction"
    return [(a, check), (b, check)]


def near_contradiction(c: Corpus) -> Injected:
    domain, a = c.pick(("support", "medical", "classify", "legal"))
    b = _copy(a)
    _user(b)["content"] = _word_edit(c.rng, _user(b)["content"])
    _answer(b)["content"] = _different_answer(c, domain, a)
    return [(a, "clean.near_contradiction"), (b, "clean.near_contradiction")]


def near_duplicate(c: Corpus) -> Injected:
    _, a = c.pick(PAIR_DOMAINS)
    b = _copy(a)
    _user(b)["content"] = _word_edit(c.rng, _user(b)["content"])
    if c.rng.random() < 0.5:
        _answer(b)["content"] = _answer(b)["content"].replace(". ", ".  ", 1)
    return [(a, "clean.near_duplicate"), (b, "clean.near_duplicate")]


def exact_duplicate(c: Corpus) -> Injected:
    _, a = c.pick(PAIR_DOMAINS)
    b = _copy(a)
    if c.rng.random() < 0.5:
        _user(b)["content"] = _surface(c.rng, _user(b)["content"]).strip()
    return [(a, "clean.exact_duplicate"), (b, "clean.exact_duplicate")]


# --- single-example defects ----------------------------------------------------------------

PROSE = ("support", "medical", "legal")
MOJIBAKE_SUFFIX = [
    " We’ll follow up — promise.", " Thanks for your patience… it’s appreciated.",
    " Our Montréal team will confirm.", " See the “Quick start” guide.", " Merci, à bientôt!",
    " The naïve fix didn’t work.", " Price: €45 – tax included.", " Größe and Straße are fine.",
]  # fmt: skip


def _mojibake(rng: random.Random, text: str) -> str:
    if text.isascii() or rng.random() < 0.5:
        text = text.replace("'", "’") if "'" in text else text + rng.choice(MOJIBAKE_SUFFIX)
    if text.isascii():
        text += rng.choice(MOJIBAKE_SUFFIX)
    raw = text.encode("utf-8")
    kind = rng.randrange(5)
    if kind == 0:
        return raw.decode("cp1252", errors="replace")
    if kind == 1:
        return raw.decode("latin-1")
    if kind == 2:
        once = raw.decode("cp1252", errors="replace")
        return once.encode("utf-8").decode("cp1252", errors="replace")
    if kind == 3:
        return raw.decode("mac_roman")
    return raw.decode("cp437")


def _insert(rng: random.Random, text: str, piece: str) -> str:
    spaces = [m.start() for m in re.finditer(" ", text)]
    if not spaces:
        return text + piece
    pos = rng.choice(spaces)
    return text[:pos] + piece + text[pos:]


def encoding(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "medical", "legal", "code"))
    target = _answer(rec) if c.rng.random() < 0.7 else _user(rec)
    text = target["content"]
    kind = c.rng.randrange(10)
    if kind < 5:
        text = _mojibake(c.rng, text)
    elif kind == 5:
        text = text.replace("'", "\ufffd") if "'" in text else _insert(c.rng, text, " \ufffd\ufffd")
    elif kind == 6:
        text = _insert(
            c.rng, text, c.rng.choice(["\x07", "\x00", "\x08", "\x0c", "\x1b[0m", "\x1a"])
        )
    elif kind == 7:
        # a lone surrogate cannot be written as UTF-8: the record is a located load error
        target["content"] = text + " Thanks! \ud83d"
        return [(rec, "clean.invalid_utf8")]
    elif kind == 8:
        text = _insert(c.rng, text, "\ufeff")
    else:
        text = _insert(c.rng, text, " \x85 ")
    target["content"] = text
    return [(rec, "clean.encoding")]


REFUSALS = [
    "As an AI language model, I cannot provide specific advice on this.",
    "I'm sorry, but I can't help with that.",
    "I’m sorry, but I cannot assist with this request.",
    "I cannot fulfill this request.",
    "I'm unable to help with that request.",
    "As an AI, I don't have personal opinions, but here is some general information.",
    "I must respectfully decline to answer.",
    "I apologize, but I am not able to help with this.",
    "Unfortunately, I won't be able to help with that. Sorry!",
    "I'm just an AI and can't access your device, so please check the manual.",
    "I'm not a doctor, but you should talk to one about this.",
    "I'm not a lawyer, so I can't say what this clause means for you.",
    "I can't provide legal advice.",
    "I cannot give medical advice; please consult a healthcare professional.",
    "As of my last knowledge update in 2023, I do not have information about this product.",
    "My knowledge cutoff prevents me from answering questions about recent releases.",
    "I don't have access to real-time information, so I can't check your order.",
    "This request violates my guidelines.",
    "It would be inappropriate for me to speculate about that.",
    "I'm not comfortable providing that information.",
    "Sorry, I can't comply.",
    "As a large language model, I cannot browse the internet.",
    "I am an AI developed by OpenAI and cannot make phone calls.",
    "I do not have feelings, but thank you for asking!",
    "I will not do that.",
    "I'm afraid I can't do that.",
]


def refusal(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "medical", "legal", "code"))
    phrase = c.rng.choice(REFUSALS)
    ans = _answer(rec)
    ans["content"] = phrase if c.rng.random() < 0.6 else f"{phrase} {ans['content']}"
    return [(rec, "clean.refusal")]


PLACEHOLDERS = [
    "Hi {{customer_name}}, ",
    "Dear [Customer Name], ",
    "Hello {first_name}! ",
    "Hi <CUSTOMER_NAME>, ",
    "Hello %(name)s, ",
    "Hi ${user_name}, ",
    "Dear __NAME__, ",
]
PLACEHOLDER_TAILS = [
    " For more details, see [INSERT LINK HERE].", " Call us at [PHONE NUMBER].", " <PLACEHOLDER>",
    " Lorem ipsum dolor sit amet, consectetur adipiscing elit.", " TODO: add warranty details",
    " Your case number is {{case_id}}.", " Best regards, [Your Name]", " Reference: <insert reference number>.",
    " The deadline is XX/XX/XXXX.", " See section [TBD].", " FIXME: confirm with legal",
    " Your replacement ships on {{ship_date}}.", " Please quote <ORDER_ID> when replying.",
]  # fmt: skip


def placeholder(c: Corpus) -> Injected:
    domain, rec = c.pick(("support", "medical", "legal", "extract", "classify"))
    kind = c.rng.randrange(4)
    if domain == "extract":
        obj = json.loads(_answer(rec)["content"])
        obj[c.rng.choice(["vendor", "invoice_number", "due_date"])] = c.rng.choice(
            ["{{vendor_name}}", "[INSERT DATE]", "<PLACEHOLDER>", "TODO"]
        )
        _answer(rec)["content"] = json.dumps(obj)
    elif domain == "classify":
        _user(rec)["content"] = c.rng.choice(
            ["Review: {{review_text}}", "Review: [INSERT REVIEW HERE]", "Review: Lorem ipsum dolor sit amet.", "Review: <PLACEHOLDER>"]
        )  # fmt: skip
    elif kind == 0:
        _answer(rec)["content"] = c.rng.choice(PLACEHOLDERS) + _answer(rec)["content"]
    elif kind == 3:
        _user(rec)["content"] = c.rng.choice(
            ["{{user_question}}", "Hi, my name is [NAME] and my {product} is broken.", "Question: <insert question>"]
        )  # fmt: skip
    else:
        _answer(rec)["content"] += c.rng.choice(PLACEHOLDER_TAILS)
    return [(rec, "clean.placeholder")]


def _cut_prose(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(100):
        k = rng.randint(max(8, len(words) // 3), max(9, len(words) - 2))
        cut = " ".join(words[:k])
        if rng.random() < 0.4 and len(words[k - 1]) > 4:
            cut = cut[: -rng.randint(1, 3)]  # mid-word
        if cut.rstrip()[-1:] not in ".!?:" and "\n" not in cut[-3:]:
            return cut.rstrip()
    return " ".join(words[: len(words) // 2]) + " and"


def truncation(c: Corpus) -> Injected:
    domain, rec = c.pick(("support", "medical", "legal", "code", "extract"))
    ans = _answer(rec)
    text = ans["content"]
    if domain == "extract":
        ans["content"] = text[: c.rng.randint(len(text) // 3, len(text) - 3)]
    elif domain == "code":
        start = text.index("```") + 3
        end = text.rindex("```")
        ans["content"] = text[: c.rng.randint(start + 10, end - 1)].rstrip()
    else:
        ans["content"] = _cut_prose(c.rng, text.replace("\n", " "))
    return [(rec, "clean.truncated")]


def repetition(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "medical", "legal", "code"))
    ans = _answer(rec)
    text = ans["content"]
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kind = c.rng.randrange(5)
    if kind == 0:
        words = re.sub(r"[^\w\s']", "", sentences[0]).split()
        n = c.rng.randint(2, min(6, len(words)))
        phrase = " ".join(words[:n])
        ans["content"] = text + " " + " ".join([phrase] * c.rng.randint(5, 12))
    elif kind == 1:
        s = c.rng.choice(sentences)
        ans["content"] = text + " " + " ".join([s] * c.rng.randint(3, 5))
    elif kind == 2:
        ans["content"] = "\n".join([text] * 3)
    elif kind == 3:
        ans["content"] = text + " " + " ".join(["the"] * c.rng.randint(10, 20))
    else:
        line = c.rng.choice(["Please restart the device and try again.", "Contact support for more help.",
                             "This clause applies to both parties.", "Review the documentation for details."])  # fmt: skip
        ans["content"] = text + "\n" + "\n".join([line] * c.rng.randint(4, 8))
    return [(rec, "clean.repetition")]


SHORT = ["Yes.", "No.", "Done.", "See above.", "OK.", "Please check the manual.", "Contact support.",
         "It depends.", "Not sure.", "Fixed.", "Noted, thanks.", "Restart it.", "N/A", "Same as before.",
         "Will do.", "Correct."]  # fmt: skip


def short_answer(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "legal", "code", "medical"))
    _answer(rec)["content"] = c.rng.choice(SHORT)
    return [(rec, "clean.short_answer")]


def truncated_start(c: Corpus) -> Injected:
    """An answer cut at the front: it starts mid-sentence or mid-word, lower-case."""
    for _ in range(100):
        _, rec = c.pick(("support", "legal", "medical"))
        ans = _answer(rec)
        words = ans["content"].replace("\n", " ").split(" ")
        k = c.rng.randint(1, max(1, len(words) // 4))
        rest = words[k:]
        if not rest or not rest[0][:1].islower() or not re.search(r"[.!?]\s+[A-Z]", " ".join(rest)):
            continue
        if c.rng.random() < 0.4 and len(rest[0]) > 4:
            rest[0] = rest[0][c.rng.randint(1, 3) :]
        ans["content"] = " ".join(rest)
        return [(rec, "clean.truncated")]
    raise RuntimeError("no answer to cut at the front")


RESIDUE_TAILS = ["\n\n<noinput>", "\n\nnoinput", "\n\nN/A", "\n\nnan", "\n\nNo input",
                 "\n\nInput:", " {input}", "<|im_end|>"]  # fmt: skip


def template_residue(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "legal", "code", "medical", "classify"))
    user = _user(rec)
    kind = c.rng.randrange(4)
    if kind == 0:
        user["content"] = "### Instruction:\n" + user["content"]
    elif kind == 1:
        user["content"] = "<|im_start|>user\n" + user["content"]
    else:
        user["content"] += c.rng.choice(RESIDUE_TAILS)
    return [(rec, "clean.template_residue")]


MISSING = {
    "legal": ["Please summarize the following clause for me.", "Summarize the clause below.",
              "What does this clause mean for us?"],
    "classify": ["Classify the given review.", "What is the sentiment of the review below?"],
    "extract": ["Extract the fields from the attached invoice.",
                "Please pull the invoice details from the following email."],
    "code": ["Explain what this snippet does.", "Fix the bug in the given function.",
             "Why does the code above fail?"],
}  # fmt: skip


def missing_input(c: Corpus) -> Injected:
    domain, rec = c.pick(tuple(MISSING))
    _user(rec)["content"] = c.rng.choice(MISSING[domain])
    return [(rec, "clean.missing_input")]


FOREIGN_PROMPTS = [
    "我的设备无法开机，按了电源键也没有反应。请问应该怎么办？",
    "Мое устройство не включается, даже когда я держу кнопку питания. Что мне делать?",
    "デバイスの電源が入りません。電源ボタンを押しても反応がありません。どうすればいいですか？",
    "기기가 켜지지 않습니다. 전원 버튼을 눌러도 반응이 없어요. 어떻게 해야 하나요?",
    "¿Por qué mi dispositivo no se enciende? Ya probé con otro cable y tampoco funciona, "
    "¿qué puedo hacer ahora que no tengo el recibo de la compra?",
]
FOREIGN_ANSWERS = [
    "请先按住电源键十五秒强制重启，然后换一个插座再试。如果仍然无法开机，请联系我们的保修服务。",
    "Пожалуйста, удерживайте кнопку питания пятнадцать секунд, затем попробуйте другую розетку. "
    "Если это не поможет, обратитесь в гарантийную службу.",
    "Mantenga pulsado el botón de encendido durante quince segundos y pruebe con otro enchufe. "
    "Si el problema continúa, también puede solicitar una reparación en garantía, porque "
    "el dispositivo tiene un año de cobertura y usted no tiene que pagar nada.",
    "Bitte halten Sie die Ein-Taste fünfzehn Sekunden lang gedrückt und versuchen Sie eine "
    "andere Steckdose. Wenn das nicht hilft, ist das Gerät auch noch in der Garantie und wir "
    "können es für Sie reparieren.",
]


def language_mismatch(c: Corpus) -> Injected:
    _, rec = c.pick(("support",))
    if c.rng.random() < 0.5:
        _user(rec)["content"] = c.rng.choice(FOREIGN_PROMPTS)
        rec["messages"] = rec["messages"][:3]
    else:
        rec["messages"] = rec["messages"][:3]
        _answer(rec)["content"] = c.rng.choice(FOREIGN_ANSWERS)
    return [(rec, "clean.language_mismatch")]


def markup(c: Corpus) -> Injected:
    _, rec = c.pick(PROSE)
    ans = _answer(rec)
    text = ans["content"]
    kind = c.rng.randrange(7)
    if kind == 0:
        ans["content"] = "<p>" + text.replace("\n", "</p><p>") + "</p>"
    elif kind == 1:
        ans["content"] = text.replace(". ", ".<br>", 2).replace("\n", "<br/>")
    elif kind == 2:
        ans["content"] = text.replace(" ", "&nbsp;", 2)
    elif kind == 3:
        ans["content"] = (
            text.replace("'", "&#39;")
            if "'" in text
            else text.replace(" and ", " &amp; ", 1) + " &nbsp;"
        )
    elif kind == 4:
        ans["content"] = f'<div class="answer"><span style="font-weight:bold">{text}</span></div>'
    elif kind == 5:
        ans["content"] = text.replace("\n", "\\n").replace(". ", ".\\n", 2) + "\\n"
    else:
        user = _user(rec)
        user["content"] = "<p>" + user["content"].replace("'", "&#39;") + "</p>&nbsp;"
    return [(rec, "clean.markup")]


FIRST = ["john", "maria", "wei", "fatima", "liam", "sofia", "raj", "olga", "kwame", "emma"]
LAST = ["doe", "garcia", "chen", "khan", "oconnor", "rossi", "patel", "ivanova", "mensah", "smith"]
MAIL_DOMAINS = [
    "gmail.com",
    "outlook.com",
    "example.com",
    "yahoo.co.uk",
    "protonmail.ch",
    "acme-corp.org",
]


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def _pii_value(rng: random.Random, category: str) -> tuple[str, str]:
    """(sentence mentioning the value, the clear value)."""
    if category == "email":
        v = f"{rng.choice(FIRST)}{rng.choice(['.', '_', ''])}{rng.choice(LAST)}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(MAIL_DOMAINS)}"
        return rng.choice(
            [f"You can reach me at {v}.", f"My email is {v}", f"Please reply to {v} instead."]
        ), v
    if category == "phone":
        a, b, d = rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999)
        v = rng.choice([f"({a}) {b}-{d}", f"{a}-{b}-{d}", f"{a}.{b}.{d}", f"+1 {a} {b} {d}",
                        f"+44 20 7946 {d}", f"+49 30 {b}{d}", f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {d // 100} {d % 100:02d}",
                        f"1-{a}-{b}-{d}"])  # fmt: skip
        return rng.choice(
            [f"Call me back at {v}.", f"My number is {v}", f"Text {v} if it's easier."]
        ), v
    if category == "ssn":
        area = rng.choice([n for n in range(1, 900) if n != 666])
        v = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        v = rng.choice([v, v.replace("-", " ")])
        return rng.choice(
            [f"My SSN is {v}.", f"Social security number: {v}", f"SSN {v} for the claim."]
        ), v
    if category == "card":
        kind = rng.randrange(4)
        if kind == 0:
            num = _luhn_complete("4", 16, rng)
        elif kind == 1:
            num = _luhn_complete(str(rng.randint(51, 55)), 16, rng)
        elif kind == 2:
            num = _luhn_complete(rng.choice(["34", "37"]), 15, rng)
        else:
            num = _luhn_complete("6011", 16, rng)
        sep = rng.choice([" ", "-", ""])
        v = (
            sep.join(num[i : i + 4] for i in range(0, len(num), 4))
            if len(num) == 16
            else f"{num[:4]}{sep}{num[4:10]}{sep}{num[10:]}"
        )
        return rng.choice(
            [
                f"Please charge my card {v}.",
                f"Card number: {v}",
                f"I paid with {v} and was charged twice.",
            ]
        ), v
    if category == "ip":
        if rng.random() < 0.7:
            v = f"{rng.choice([73, 98, 172, 192, 203, 84])}.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
        else:
            v = f"2001:db8:{rng.randint(1, 65535):x}::{rng.randint(1, 65535):x}:{rng.randint(1, 65535):x}"
        return rng.choice(
            [
                f"My public IP is {v}.",
                f"The device shows IP address {v}",
                f"Logs show a login from {v} yesterday.",
            ]
        ), v
    if category == "dob":
        y, m, d = rng.randint(1930, 2004), rng.randint(1, 12), rng.randint(1, 28)
        months = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
        v = rng.choice(
            [
                f"{m:02d}/{d:02d}/{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{months[m - 1]} {d}, {y}",
                f"{d} {months[m - 1]} {y}",
            ]
        )
        return rng.choice(
            [f"DOB: {v}.", f"Date of birth {v}.", f"Patient was born on {v}.", f"D.O.B. {v}"]
        ), v
    v = rng.choice(
        [
            f"{rng.randint(0, 99999999):08d}",
            f"{rng.randint(1000000, 9999999)}",
            f"A{rng.randint(1000000, 9999999)}",
        ]
    )
    return rng.choice(
        [f"MRN: {v}.", f"Medical record number {v}.", f"MR# {v}", f"MRN {v} on file."]
    ), v


PII_CATEGORIES = ("email", "phone", "ssn", "card", "ip", "dob", "mrn")


def pii(c: Corpus, category: str) -> tuple[Record, str]:
    domains = ("medical",) if category in ("dob", "mrn") else ("support", "legal", "medical")
    _, rec = c.pick(domains)
    sentence, value = _pii_value(c.rng, category)
    target = _user(rec) if c.rng.random() < 0.75 else _answer(rec)
    target["content"] = (
        f"{target['content']} {sentence}"
        if c.rng.random() < 0.6
        else f"{sentence} {target['content']}"
    )
    return rec, value


SYSTEM_VARIANTS = [
    lambda s: s.lower(),
    lambda s: (
        s.replace("assistant", "asistant", 1) if "assistant" in s else s.replace("the", "teh", 1)
    ),
    lambda s: "You are a helpful assistant.",
    lambda s: s + " Always be concise.",
    lambda s: s.replace(". ", ".  ", 1),
    lambda s: s.rstrip("."),
    lambda s: s.replace("You", "you", 1),
]


def system_prompt_variant(c: Corpus) -> Injected:
    _, rec = c.pick(PAIR_DOMAINS)
    sys_msg = rec["messages"][0]
    original = sys_msg["content"]
    while sys_msg["content"] == original:
        sys_msg["content"] = c.rng.choice(SYSTEM_VARIANTS)(original)
    return [(rec, "consistent.system_prompt")]


def missing_system(c: Corpus) -> Injected:
    _, rec = c.pick(PAIR_DOMAINS)
    rec["messages"] = rec["messages"][1:]
    return [(rec, "consistent.missing_system_prompt")]


def role_order(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "medical", "legal", "code"))
    msgs = rec["messages"]
    system, user, answer = msgs[0], msgs[1], msgs[2]
    kind = c.rng.randrange(6)
    extra = {
        "role": "user",
        "content": c.rng.choice(
            [
                "Also, is this covered by warranty?",
                "Any update?",
                "Thanks, one more question.",
                "Hello?",
            ]
        ),
    }
    if kind == 0:
        rec["messages"] = [system, user, extra, answer]
    elif kind == 1:
        rec["messages"] = [system, user, answer, extra]
    elif kind == 2:
        rec["messages"] = [
            system,
            {"role": "assistant", "content": "Hi! How can I help you today?"},
            user,
            answer,
        ]
    elif kind == 3:
        rec["messages"] = [system, user, system, answer]
    elif kind == 4:
        rec["messages"] = [
            system,
            {"role": "system", "content": "Respond in English."},
            user,
            answer,
        ]
    else:
        rec["messages"] = [
            system,
            user,
            answer,
            {"role": "assistant", "content": "Is there anything else I can help with?"},
        ]
    return [(rec, "consistent.role_order")]


LONG_TURNS = [
    ("Can you also check whether my address is correct?", "Of course. Your account shows the delivery address you entered at checkout; you can edit it under Account > Addresses."),
    ("What about the invoice for my records?", "You can download every invoice from Account > Orders by selecting the order and choosing Download invoice."),
    ("Is there a way to get notified when it ships?", "Yes, turn on shipping notifications under Settings > Notifications and we'll email you the tracking link."),
    ("Can I change the colour of the replacement?", "Replacements ship in the same colour by default, but we can switch it if the other colour is in stock."),
    ("How do I register the product for warranty?", "Open the app, tap Add device, and scan the QR code on the base; registration is automatic after that."),
    ("Do you have a store near Boston?", "We don't have physical stores, but our partner retailers in the Boston area can handle returns."),
    ("Will the new one come with a charger?", "Yes, every replacement includes the original accessories, including the charger and cable."),
    ("Can I use the old stand with the new unit?", "Yes, the stand and mounting plate are compatible with every model from this generation."),
    ("How long is the warranty on the replacement?", "The replacement carries the remainder of the original warranty or 90 days, whichever is longer."),
    ("Great, can you summarize the next steps?", "Sure: we ship the replacement today, you return the old unit with the prepaid label within 30 days, and your warranty carries over."),
]  # fmt: skip


def turn_count(c: Corpus) -> Injected:
    _, rec = c.pick(("support", "medical", "legal", "code"))
    turns = c.rng.sample(LONG_TURNS, c.rng.randint(6, 9))
    for q, a in turns:
        rec["messages"] += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return [(rec, "consistent.turn_count")]


def json_format(c: Corpus) -> Injected:
    _, rec = c.pick(("extract",))
    ans = _answer(rec)
    obj = json.loads(ans["content"])
    kind = c.rng.randrange(7)
    if kind == 0:
        ans["content"] = repr(obj)
    elif kind == 1:
        ans["content"] = json.dumps(obj)[:-1] + ",}"
    elif kind == 2:
        ans["content"] = re.sub(r'"(\w+)":', r"\1:", json.dumps(obj))
    elif kind == 3:
        ans["content"] = (
            f"The vendor is {obj['vendor']} and the amount due is {obj['amount']} {obj['currency']}."
        )
    elif kind == 4:
        ans["content"] = "```json\n" + json.dumps(obj, indent=2) + "\n```"
    elif kind == 5:
        ans["content"] = "Here is the extracted data: " + json.dumps(obj)
    else:
        ans["content"] = "\n".join(f"{k}: {v}" for k, v in obj.items())
    return [(rec, "consistent.output_format")]


def json_keys(c: Corpus) -> Injected:
    _, rec = c.pick(("extract",))
    ans = _answer(rec)
    obj = json.loads(ans["content"])
    kind = c.rng.randrange(5)
    if kind == 0:
        obj["invoice_no"] = obj.pop("invoice_number")
    elif kind == 1:
        del obj["currency"]
    elif kind == 2:
        obj["notes"] = "paid by wire"
    elif kind == 3:
        obj = {"vendorName": obj["vendor"], "invoiceNumber": obj["invoice_number"], "amount": obj["amount"],
               "currency": obj["currency"], "dueDate": obj["due_date"]}  # fmt: skip
    else:
        obj["total"] = obj.pop("amount")
    ans["content"] = json.dumps(obj)
    return [(rec, "consistent.json_keys")]


def markdown(c: Corpus) -> Injected:
    _, rec = c.pick(PROSE)
    ans = _answer(rec)
    text = ans["content"]
    kind = c.rng.randrange(4)
    if kind == 0:
        ans["content"] = "## Summary\n\n" + text
    elif kind == 1:
        ans["content"] = "**Important:** " + text
    elif kind == 2:
        ans["content"] = text + "\n\n| Step | Action |\n|---|---|\n| 1 | Restart |\n| 2 | Update |"
    else:
        ans["content"] = (
            text + " More details are in [our help center](https://help.example.com/articles/42)."
        )
    return [(rec, "consistent.output_format")]


LABEL_VARIANTS = {"Positive": ["positive", "POSITIVE", "Positive.", "Postive", "positive!"],
                  "Negative": ["negative", "NEGATIVE", "Negative.", "Negatve", "Negative!"],
                  "Neutral": ["neutral", "NEUTRAL", "Neutral.", "Nuetral", "neutral."]}  # fmt: skip


def label_variant(c: Corpus) -> Injected:
    _, rec = c.pick(("classify",))
    ans = _answer(rec)
    ans["content"] = c.rng.choice(LABEL_VARIANTS[ans["content"]])
    return [(rec, "consistent.label_vocabulary")]


APPENDIX = [
    "Warranty coverage applies to defects in materials and workmanship under normal use.",
    "It does not cover accidental damage, liquid damage, or unauthorized repairs.",
    "To start a claim, provide proof of purchase and the device serial number.",
    "Replacement units may be new or refurbished to as-new condition.",
    "Shipping costs for warranty claims are covered within the continental United States.",
    "Claims outside the warranty period may be eligible for a discounted repair.",
    "Data stored on the device may be lost during repair, so back it up first.",
    "Consumer rights under local law are not affected by this warranty.",
    "Software issues are handled through updates rather than hardware replacement.",
    "Batteries are covered for 12 months or 500 charge cycles, whichever comes first.",
    "Cosmetic wear such as scratches or fading is excluded from coverage.",
    "If a repair is not possible, we will offer a comparable model or a prorated refund.",
    "Accessories purchased separately carry their own warranty terms.",
    "We may ask you to run diagnostics before approving a claim.",
    "Keep the original packaging until the claim is resolved.",
    "Claims must be filed within 30 days of discovering the defect.",
]


def length_outlier(c: Corpus) -> Injected:
    _, rec = c.pick(PROSE)
    ans = _answer(rec)
    extra = c.rng.sample(APPENDIX, len(APPENDIX))
    ans["content"] = (
        ans["content"]
        + "\n\nFull terms for reference: "
        + " ".join(extra)
        + " "
        + " ".join(f"Section {i}: {s}" for i, s in enumerate(c.rng.sample(APPENDIX, 10), start=2))
    )
    return [(rec, "consistent.length_outlier")]


def whitespace(c: Corpus) -> Injected:
    _, rec = c.pick(PAIR_DOMAINS)
    target = _answer(rec) if c.rng.random() < 0.6 else _user(rec)
    pad = c.rng.choice(["  ", "\n", "\n\n", " ", "\t"])
    target["content"] = (
        (pad + target["content"]) if c.rng.random() < 0.5 else (target["content"] + pad)
    )
    return [(rec, "consistent.whitespace")]


def empty_answer(c: Corpus) -> Injected:
    _, rec = c.pick(PAIR_DOMAINS)
    _answer(rec)["content"] = c.rng.choice(["", " ", "\n"])
    return [(rec, "clean.empty_turn")]


INJECTORS: dict[str, Callable[[Corpus], Injected]] = {
    "contradiction": contradiction,
    "near_contradiction": near_contradiction,
    "near_duplicate": near_duplicate,
    "exact_duplicate": exact_duplicate,
    "encoding": encoding,
    "refusal": refusal,
    "placeholder": placeholder,
    "truncation": truncation,
    "repetition": repetition,
    "short_answer": short_answer,
    "markup": markup,
    "system_prompt_variant": system_prompt_variant,
    "missing_system_prompt": missing_system,
    "role_order": role_order,
    "turn_count": turn_count,
    "json_format": json_format,
    "json_keys": json_keys,
    "markdown": markdown,
    "label_variant": label_variant,
    "length_outlier": length_outlier,
    "whitespace": whitespace,
    "empty_answer": empty_answer,
    "truncated_start": truncated_start,
    "template_residue": template_residue,
    "missing_input": missing_input,
    "language_mismatch": language_mismatch,
}


def build(seed: int = SEED) -> tuple[list[Record], dict[str, Any]]:
    """(records in file order, expectations)."""
    c = Corpus(seed)
    items: list[tuple[Record, dict[str, Any]]] = []
    for domain, count in CLEAN_COUNTS.items():
        for _ in range(count):
            items.append((c.fresh(domain), {"kind": "clean", "domain": domain}))
    for domain, user, answer in HARD_NEGATIVES:
        rec = {"messages": [{"role": "system", "content": SYSTEM[domain]},
                            {"role": "user", "content": user}, {"role": "assistant", "content": answer}]}  # fmt: skip
        items.append((rec, {"kind": "hard_negative", "domain": domain}))
    pii_values: list[str] = []
    for kind, inject in INJECTORS.items():
        for group in range(PER_KIND):
            for rec, check in inject(c):
                items.append((rec, {"kind": kind, "check": check, "group": f"{kind}:{group}"}))
    for category in PII_CATEGORIES:
        for group in range(PER_KIND):
            rec, value = pii(c, category)
            pii_values.append(value)
            items.append(
                (
                    rec,
                    {
                        "kind": f"pii_{category}",
                        "check": "clean.pii",
                        "group": f"pii_{category}:{group}",
                    },
                )
            )
    order = list(range(len(items)))
    random.Random(seed + 1).shuffle(order)
    records, lines = [], []
    for line, idx in enumerate(order, start=1):
        rec, meta = items[idx]
        records.append(rec)
        lines.append({"line": line, **meta})
    expected = {
        "seed": seed,
        "lines": lines,
        "pii_values": sorted(set(pii_values)),
    }
    return records, expected


def _dump(rec: Record) -> str:
    try:
        text = json.dumps(rec, ensure_ascii=False)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(rec)  # lone surrogates must stay \\u-escaped


def render(seed: int = SEED) -> tuple[str, str]:
    """The corpus file text and the expectations file text."""
    records, expected = build(seed)
    corpus = "".join(_dump(r) + "\n" for r in records)
    return corpus, json.dumps(expected, indent=1, ensure_ascii=False) + "\n"


def main(out: Path = HERE) -> None:
    corpus, expected = render()
    (out / "corpus.jsonl").write_text(corpus, encoding="utf-8")
    (out / "expected.json").write_text(expected, encoding="utf-8")
    lines = json.loads(expected)["lines"]
    print(f"wrote {len(lines)} examples to {out / 'corpus.jsonl'}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Clean example generators for the seeded-defect corpus: six realistic finetuning tasks.

Each generator composes examples from independent pools (products x symptoms x context x
phrasing, clause types x parties x terms, ...) so that clean examples are varied, never
repeat an input, and look like what teams actually finetune on. Hard negatives — text that
resembles a defect but is not one (polite apologies, code with braces and TODO comments,
ICD codes, version numbers, prices, order ids, dates that are not birth dates) — are mixed
into the clean examples and also collected separately.
"""

from __future__ import annotations

import json
import random
from typing import Any

SYSTEM = {
    "support": "You are Nimbus Home's customer support assistant. Answer clearly and politely, "
    "give concrete troubleshooting steps, and mention warranty options when relevant.",
    "medical": "You are a medical coding assistant. Given a clinical note, return the most "
    "specific ICD-10-CM code with its description and a one-sentence rationale.",
    "legal": "You summarize contract clauses for busy in-house counsel. Write a short plain-"
    "English summary that states who must do what, by when, and the main exceptions.",
    "code": "You are a senior software engineer helping colleagues. Explain briefly, then give "
    "a complete, runnable code example in a fenced block.",
    "classify": "Classify the sentiment of the customer review as Positive, Negative or "
    "Neutral. Answer with the label only.",
    "extract": "Extract invoice fields from the message and answer with a JSON object with "
    "the keys vendor, invoice_number, amount, currency and due_date. Use null for anything "
    "missing.",
}

# --- support -------------------------------------------------------------------------------

PRODUCTS = [
    ("AeroMesh Wi-Fi router", "router"), ("BrewMaster coffee maker", "coffee maker"),
    ("PulseFit smartwatch", "watch"), ("QuietWave headphones", "headphones"),
    ("ThermoSense smart thermostat", "thermostat"), ("PageLite e-reader", "e-reader"),
    ("CleanSweep robot vacuum", "vacuum"), ("SnapView security camera", "camera"),
    ("BlendPro 900 blender", "blender"), ("SoundCube speaker", "speaker"),
    ("InkJet Studio printer", "printer"), ("GlowStrip LED lights", "light strip"),
    ("FreshAir purifier", "purifier"), ("ChargeDock wireless charger", "charger"),
    ("KettleSmart electric kettle", "kettle"), ("DoorBell Cam 2", "doorbell"),
]  # fmt: skip
SYMPTOMS = {
    "power": ("won't turn on", ["Hold the power button for 15 seconds to force a restart",
              "Try a different outlet and check that the cable clicks firmly into place",
              "Leave it on the original charger for at least 30 minutes before trying again",
              "Look for a small reset pinhole on the back and press it with a paperclip for 5 seconds"]),
    "wifi": ("keeps dropping off the Wi-Fi", ["Move it within about 10 metres of the router for a test",
             "Make sure your network runs on 2.4 GHz, since the device does not support 5 GHz only networks",
             "Remove the device from the Nimbus Home app and add it again",
             "Restart your router and wait two minutes before reconnecting"]),
    "battery": ("loses its charge within a few hours", ["Turn off always-on features such as the display or motion alerts",
                "Update the firmware from the app, since recent releases improve battery life",
                "Fully charge it, then let it run down completely once to recalibrate the battery",
                "Check the app's battery report for a feature that wakes the device constantly"]),
    "noise": ("makes a loud rattling noise", ["Check that nothing is stuck in the vents or moving parts",
              "Place it on a flat, stable surface away from walls",
              "Tighten any removable parts by hand, without tools",
              "Record a short video of the noise so our technicians can compare it with known faults"]),
    "pairing": ("won't pair with my phone", ["Turn Bluetooth off and on again on your phone",
                "Forget the device in your phone's Bluetooth settings and pair it as new",
                "Keep the phone within one metre during pairing",
                "Close other apps that might hold the Bluetooth connection"]),
    "update": ("got stuck during a firmware update", ["Leave it plugged in for 20 minutes, since some updates pause silently",
               "Unplug it for 30 seconds and plug it back in to resume the update",
               "Start the update again from Settings > Device > Firmware in the app",
               "Keep the app open and the phone nearby until the progress bar finishes"]),
    "display": ("has a flickering screen", ["Lower the brightness and turn off adaptive brightness for a day",
                "Install the latest firmware, which fixed a flicker issue on some units",
                "Restart the device and check whether the flicker appears on the startup logo",
                "Keep it away from strong magnets or other electronics"]),
    "leak": ("is leaking water at the base", ["Check that the water tank is seated fully and the lid is closed",
             "Inspect the rubber seal for cracks or debris and rinse it gently",
             "Do not fill above the MAX line marked on the tank",
             "Dry the base completely before using it again"]),
}  # fmt: skip
CONTEXT = [
    "I bought it {n} weeks ago.",
    "It was a gift, so I don't have the receipt.",
    "I already tried restarting it twice.",
    "This started after we moved house.",
    "My order number is {order}.",
    "It worked fine until last {day}.",
    "I'm using the latest version of the app ({ver}).",
    "It's only been a month.",
    "The light on the front blinks orange.",
    "I paid {price} for it, so this is frustrating.",
    "",
    "",
    "",
]
OPENERS = [
    "I'm sorry to hear that your {short} {symptom}.",
    "Thanks for reaching out about your {short}.",
    "That sounds frustrating, so let's sort it out.",
    "Happy to help with your {short}.",
    "I'm sorry for the trouble with your {short}; here's how we can fix it.",
    "Thanks for the details, they help a lot.",
    "Let's get your {short} working again.",
    "Sorry about that! Most of the time this is quick to fix.",
]
CLOSERS = [
    "If none of this helps, reply here and we'll arrange a free replacement under the {w}-month warranty.",
    "If the problem continues, we can replace it under warranty; just reply with a photo of the serial number.",
    "Let me know how it goes, and I cannot stress enough how much a firmware update helps with issues like this.",
    "If it still misbehaves, our repair team can pick it up at no cost while it's under warranty.",
    "Please let us know if that solves it.",
    "If you'd prefer a refund instead, we can process it within {d} days of purchase.",
]
ASK = [
    "My {product} {symptom}. {ctx} What should I do?", "Hi, the {product} I have {symptom}. {ctx} Any ideas?",
    "{ctx} Now my {product} {symptom}. Can you help?", "Help! Our {product} {symptom}. {ctx}",
    "Why does my {product} {symptom}? {ctx}", "Hello, I need help: the {product} {symptom}. {ctx} Thanks.",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "weekend"]
FOLLOW_UPS = [
    (
        "I tried that and it still happens. Is there anything else?",
        "Thanks for trying. The next step is a factory reset: hold the reset button for 10 seconds "
        "until the light flashes white, then set the device up again in the app. If it still "
        "happens after that, the unit is likely faulty and we will replace it.",
    ),
    (
        "That worked, thanks! Will this happen again?",
        "Glad it's working! It shouldn't come back, but keeping automatic updates on in the app is "
        "the best way to prevent it.",
    ),
    (
        "Do I need to send it back for the warranty?",
        "No need to send it first. We'll ship the replacement right away and include a prepaid "
        "label so you can return the old unit within 30 days.",
    ),
    (
        "How long does a replacement usually take?",
        "Replacements usually arrive within 3 to 5 business days. You'll get a tracking link by "
        "email as soon as it ships.",
    ),
]


def support(rng: random.Random) -> dict[str, Any]:
    product, short = rng.choice(PRODUCTS)
    key = rng.choice(list(SYMPTOMS))
    symptom, steps = SYMPTOMS[key]
    ctx = rng.choice(CONTEXT).format(
        n=rng.randint(2, 11),
        order=f"NH-{rng.randint(100000, 999999)}",
        day=rng.choice(DAYS),
        ver=f"{rng.randint(3, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        price=f"${rng.randint(39, 399)}.{rng.choice(['00', '49', '95', '99'])}",
    )
    question = " ".join(rng.choice(ASK).format(product=product, symptom=symptom, ctx=ctx).split())
    chosen = rng.sample(steps, rng.randint(2, 3))
    if rng.random() < 0.5:
        body = " ".join(f"{s}." for s in chosen)
    else:
        body = "\n".join(f"{i}. {s}." for i, s in enumerate(chosen, start=1))
    opener = rng.choice(OPENERS).format(short=short, symptom=symptom)
    closer = rng.choice(CLOSERS).format(w=rng.choice([12, 18, 24]), d=rng.choice([14, 30]))
    answer = (
        f"{opener} {body}" if "\n" not in body else f"{opener} Please try these steps:\n{body}\n"
    )
    answer = answer.rstrip() + ("\n" if "\n" in body else " ") + closer
    msgs = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    if rng.random() < 0.3:
        q2, a2 = rng.choice(FOLLOW_UPS)
        msgs += [{"role": "user", "content": q2}, {"role": "assistant", "content": a2}]
    return {"domain": "support", "messages": msgs}


# --- medical coding ------------------------------------------------------------------------

CONDITIONS = [
    ("type 2 diabetes mellitus without complications", "E11.9", "Type 2 diabetes mellitus without complications"),
    ("essential hypertension", "I10", "Essential (primary) hypertension"),
    ("mild intermittent asthma", "J45.20", "Mild intermittent asthma, uncomplicated"),
    ("low back pain", "M54.50", "Low back pain, unspecified"),
    ("gastro-esophageal reflux without esophagitis", "K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("urinary tract infection", "N39.0", "Urinary tract infection, site not specified"),
    ("acute upper respiratory infection", "J06.9", "Acute upper respiratory infection, unspecified"),
    ("generalized anxiety disorder", "F41.1", "Generalized anxiety disorder"),
    ("hyperlipidemia", "E78.5", "Hyperlipidemia, unspecified"),
    ("migraine without aura", "G43.009", "Migraine without aura, not intractable, without status migrainosus"),
    ("primary osteoarthritis of the right knee", "M17.11", "Unilateral primary osteoarthritis, right knee"),
    ("plaque psoriasis", "L40.0", "Psoriasis vulgaris"),
    ("iron deficiency anemia", "D50.9", "Iron deficiency anemia, unspecified"),
    ("hypothyroidism", "E03.9", "Hypothyroidism, unspecified"),
    ("acute bronchitis", "J20.9", "Acute bronchitis, unspecified"),
    ("major depressive disorder, single episode, moderate", "F32.1", "Major depressive disorder, single episode, moderate"),
    ("chronic kidney disease stage 3a", "N18.31", "Chronic kidney disease, stage 3a"),
    ("atrial fibrillation, unspecified", "I48.91", "Unspecified atrial fibrillation"),
    ("obstructive sleep apnea", "G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
    ("vitamin D deficiency", "E55.9", "Vitamin D deficiency, unspecified"),
]  # fmt: skip
VISITS = [
    "presents for follow-up of",
    "is seen today for",
    "reports ongoing symptoms of",
    "was referred for evaluation of",
    "returns to clinic to review",
    "comes in regarding",
]
DETAILS = [
    "Vitals stable, BP {bp}.",
    "Labs from {month} reviewed.",
    "Current medication: {med}.",
    "No new complaints.",
    "Patient reports good adherence.",
    "Plan to recheck in {w} weeks.",
    "Discussed diet and exercise.",
    "Denies chest pain or shortness of breath.",
    "Date of service: {dos}.",
    "Weight {kg} kg.",
    "Referred to physical therapy.",
]
MEDS = [
    "metformin 500 mg BID",
    "lisinopril 10 mg daily",
    "albuterol inhaler PRN",
    "omeprazole 20 mg",
    "sertraline 50 mg",
    "atorvastatin 20 mg",
    "levothyroxine 75 mcg",
    "ferrous sulfate 325 mg",
]
MONTHS = [
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
RATIONALES = [
    "The note documents {cond} and nothing that would require a more specific code.",
    "{cond_cap} is the condition addressed at this visit, with no documented complications.",
    "The provider's assessment names {cond}, which maps directly to this code.",
    "Only {cond} is assessed today; other history is not being treated.",
]


def medical(rng: random.Random) -> dict[str, Any]:
    cond, code, desc = rng.choice(CONDITIONS)
    age, sex = rng.randint(19, 88), rng.choice(["male", "female"])
    details = rng.sample(DETAILS, rng.randint(1, 3))
    text = " ".join(d.format(
        bp=f"{rng.randint(110, 150)}/{rng.randint(70, 95)}", month=rng.choice(MONTHS),
        med=rng.choice(MEDS), w=rng.choice([4, 6, 8, 12]), kg=rng.randint(48, 120),
        dos=f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2024") for d in details)  # fmt: skip
    note = f"{age}-year-old {sex} {rng.choice(VISITS)} {cond}. {text}"
    q = (
        rng.choice(["Code this note: ", "Clinical note: ", "What is the ICD-10-CM code? ", ""])
        + note
    )
    rationale = rng.choice(RATIONALES).format(cond=cond, cond_cap=cond[0].upper() + cond[1:])
    answer = f"{code} — {desc}. {rationale}"
    return {"domain": "medical", "messages": [{"role": "user", "content": q},
                                               {"role": "assistant", "content": answer}]}  # fmt: skip


# --- legal ---------------------------------------------------------------------------------

COMPANIES = [
    "Brightline Logistics LLC",
    "Harbor & Finch Inc.",
    "Meridian Health Partners",
    "Oakridge Software Ltd.",
    "Cobalt Retail Group",
    "Northwind Analytics",
    "Sable Manufacturing Co.",
    "Tidewater Energy LP",
    "Juniper Labs GmbH",
    "Redwood Capital Advisors",
    "Summit Foods Corp.",
    "Atlas Freight Systems",
]
STATES = ["Delaware", "New York", "California", "Texas", "Illinois", "Massachusetts", "Washington"]
CLAUSES = {
    "termination": (
        "Either party may terminate this Agreement for convenience upon {d} days' prior written notice to the other party. "
        "{a} may terminate immediately if {b} materially breaches this Agreement and fails to cure such breach within {c} days after receiving notice.",
        "Either side can end the contract for any reason with {d} days' written notice. {a} can also end it immediately if {b} commits a material breach and does not fix it within {c} days of being notified."),
    "confidentiality": (
        "{b} shall hold all Confidential Information of {a} in strict confidence and shall not disclose it to any third party for a period of {y} years following the Effective Date, "
        "except as required by law or with {a}'s prior written consent.",
        "{b} must keep {a}'s confidential information secret for {y} years from the start date. It may disclose it only when the law requires or when {a} agrees in writing."),
    "payment": (
        "{b} shall pay all undisputed invoices within {d} days of receipt. Late payments shall accrue interest at {p}% per month. "
        "{b} may withhold disputed amounts provided it notifies {a} in writing within {c} days of the invoice date.",
        "{b} has {d} days to pay each invoice it does not dispute; late amounts carry {p}% interest per month. To hold back a disputed amount, {b} must tell {a} in writing within {c} days of the invoice."),
    "liability": (
        "In no event shall either party's aggregate liability arising out of this Agreement exceed the fees paid by {b} in the {m} months preceding the claim, "
        "except for breaches of confidentiality or indemnification obligations.",
        "Each side's total liability is capped at what {b} paid in the {m} months before the claim. The cap does not apply to confidentiality breaches or indemnity obligations."),
    "governing_law": (
        "This Agreement shall be governed by the laws of the State of {s}, without regard to its conflict of laws principles, "
        "and the parties submit to the exclusive jurisdiction of the courts located in {s}.",
        "The contract follows {s} law, ignoring conflict-of-law rules, and any dispute must be brought in the courts of {s}."),
    "assignment": (
        "Neither party may assign this Agreement without the prior written consent of the other party, except that {a} may assign it "
        "to an affiliate or in connection with a merger or sale of substantially all of its assets upon {d} days' notice.",
        "Neither side may transfer the contract without the other's written consent. {a} may still transfer it to an affiliate or in a merger or asset sale, after giving {d} days' notice."),
    "indemnification": (
        "{b} shall defend, indemnify and hold harmless {a} from any third-party claims arising from {b}'s negligence or willful misconduct, "
        "provided that {a} gives prompt notice of the claim and reasonable cooperation.",
        "{b} must defend {a} and cover its losses from outside claims caused by {b}'s negligence or intentional misconduct, as long as {a} reports the claim promptly and cooperates."),
    "force_majeure": (
        "Neither party shall be liable for delays caused by events beyond its reasonable control, including fire, flood, pandemic or government action, "
        "provided that the affected party notifies the other within {c} days and resumes performance as soon as practicable.",
        "Neither side is responsible for delays caused by events it cannot reasonably control, such as fire, floods, pandemics or government action, if it gives notice within {c} days and resumes work as soon as it can."),
    "non_solicit": (
        "During the term and for {m} months thereafter, {b} shall not solicit for employment any employee of {a} with whom it had material contact, "
        "provided that general advertisements not targeted at such employees shall not breach this clause.",
        "While the contract runs and for {m} months after, {b} may not try to hire {a}'s employees it worked closely with. General job ads not aimed at those employees are allowed."),
}  # fmt: skip
LEGAL_ASK = [
    "Summarize this clause: ",
    "Please summarize the following clause for me.\n\n",
    "What does this mean in plain English? ",
    "Clause {n}: ",
    "Can you summarize this {kind} clause? ",
]


def legal(rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(list(CLAUSES))
    text, summary = CLAUSES[kind]
    a, b = rng.sample(COMPANIES, 2)
    vals = dict(a=a, b=b, d=rng.choice([15, 30, 45, 60, 90]), c=rng.choice([10, 15, 20, 30]),
                y=rng.choice([2, 3, 5, 7]), p=rng.choice(["1", "1.5", "2"]),
                m=rng.choice([6, 12, 18, 24]), s=rng.choice(STATES))  # fmt: skip
    ask = rng.choice(LEGAL_ASK).format(
        n=f"{rng.randint(2, 19)}.{rng.randint(1, 9)}", kind=kind.replace("_", " ")
    )
    return {"domain": "legal", "messages": [{"role": "user", "content": ask + text.format(**vals)},
                                             {"role": "assistant", "content": summary.format(**vals)}]}  # fmt: skip


# --- code help -----------------------------------------------------------------------------

CODE_TASKS = [
    ("read a CSV file called {f}.csv and print the average of the {c} column", "python",
     "import csv\n\nwith open(\"{f}.csv\", newline=\"\") as fh:\n    values = [float(row[\"{c}\"]) for row in csv.DictReader(fh)]\nprint(sum(values) / len(values))",
     "`csv.DictReader` maps each row to a dict keyed by the header, so you can pick the column by name."),
    ("remove duplicates from a list called {v} while keeping the original order", "python",
     "{v} = list(dict.fromkeys({v}))",
     "Dicts preserve insertion order since Python 3.7, so `dict.fromkeys` keeps the first occurrence of each item."),
    ("count how often each word appears in a string called {v}", "python",
     "from collections import Counter\n\ncounts = Counter({v}.lower().split())\nprint(counts.most_common(5))",
     "`Counter` builds the frequency table in one pass; `most_common` returns the top entries."),
    ("sort a list of dicts called {v} by the {c} key, newest first", "python",
     "{v}.sort(key=lambda item: item[\"{c}\"], reverse=True)",
     "`sort` works in place; use `sorted({v}, ...)` instead if you need to keep the original list."),
    ("render a greeting with Jinja where the name comes from a variable", "python",
     "from jinja2 import Template\n\ntemplate = Template(\"Hello {{{{ name }}}}!\")\nprint(template.render(name=\"{n}\"))",
     "The double braces are Jinja's expression syntax; `render` fills them in."),
    ("debounce a function called {fn} in JavaScript", "javascript",
     "function debounce(fn, wait) {{\n  let timer;\n  return (...args) => {{\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), wait);\n  }};\n}}\n\nconst {fn}Debounced = debounce({fn}, 300);",
     "Each call resets the timer, so `{fn}` only runs once the calls stop for 300 ms."),
    ("fetch JSON from {url} in JavaScript and log the {c} field", "javascript",
     "async function load() {{\n  const response = await fetch(\"{url}\");\n  if (!response.ok) {{\n    throw new Error(`HTTP ${{response.status}}`);\n  }}\n  const data = await response.json();\n  console.log(data.{c});\n}}\n\nload();",
     "Checking `response.ok` matters because `fetch` only rejects on network errors, not on HTTP error codes."),
    ("find the {k} customers with the highest total order value in SQL", "sql",
     "SELECT customer_id, SUM(amount) AS total\nFROM orders\nGROUP BY customer_id\nORDER BY total DESC\nLIMIT {k};",
     "Grouping by customer and ordering by the sum gives the ranking; `LIMIT` keeps the top rows."),
    ("delete files older than {k} days in a folder called {f} from Bash", "bash",
     "find {f} -type f -mtime +{k} -print -delete",
     "Run it once without `-delete` to check the list first, since deleted files do not go to the trash."),
    ("retry an HTTP request up to {k} times in Python", "python",
     "import time\nimport requests\n\ndef get_with_retry(url, attempts={k}):\n    for attempt in range(attempts):\n        try:\n            return requests.get(url, timeout=10)\n        except requests.RequestException:\n            # TODO: log the failure before retrying\n            time.sleep(2 ** attempt)\n    raise RuntimeError(\"all retries failed\")",
     "The delay doubles after each failure (exponential backoff), which is kinder to a struggling server."),
    ("build an HTML list of {c} names from an array in JavaScript", "javascript",
     "const items = names.map((name) => `<li>${{name}}</li>`).join(\"\");\ndocument.querySelector(\"#{c}-list\").innerHTML = `<ul>${{items}}</ul>`;",
     "Template literals keep the markup readable; escape the names first if they come from users."),
    ("parse a date string like 2024-03-15 into a date object in Python", "python",
     "from datetime import date\n\nparsed = date.fromisoformat(\"2024-03-15\")\nprint(parsed.strftime(\"%d %B %Y\"))",
     "`fromisoformat` handles the ISO format directly, with no format string needed."),
    ("merge two dicts {v} and {w} in Python, with {w} winning on conflicts", "python",
     "merged = {{**{v}, **{w}}}",
     "On Python 3.9 or newer you can also write `{v} | {w}`."),
    ("check which version of pandas is installed", "python",
     "import pandas as pd\n\nprint(pd.__version__)  # e.g. 2.2.1",
     "If it prints something older than 2.0, upgrade with `pip install -U pandas`."),
]  # fmt: skip
CODE_ASK = [
    "How do I {task}?",
    "What's the cleanest way to {task}?",
    "I need to {task}. How?",
    "Could you show me how to {task}?",
    "Quick question: how can I {task}?",
]
CODE_INTRO = [
    "Here's a compact way to do it:",
    "You can do it like this:",
    "This does what you need:",
    "Here is a working example:",
    "Try this:",
]
FILES = [
    "sales",
    "orders",
    "metrics",
    "visits",
    "payments",
    "readings",
    "invoices",
    "signups",
    "logs",
    "tmp",
]
COLS = [
    "price",
    "duration",
    "score",
    "total",
    "latency",
    "age",
    "created_at",
    "updated_at",
    "rating",
    "amount",
]
VARS = ["items", "records", "rows", "users", "events", "entries", "values", "orders", "tags", "ids"]
FUNCS = ["search", "save", "resize", "validate", "filter", "track", "refresh", "submit"]
URLS = [
    "https://api.example.com/status",
    "https://api.example.com/v2/users/42",
    "/api/health",
    "/api/orders?page=2",
]
NAMES = ["Ada", "Grace", "Alan", "Linus", "Margaret", "Guido", "Barbara", "Dennis"]


def code(rng: random.Random) -> dict[str, Any]:
    task, lang, snippet, note = rng.choice(CODE_TASKS)
    v, w = rng.sample(VARS, 2)
    vals = dict(f=rng.choice(FILES), c=rng.choice(COLS), v=v, w=w, fn=rng.choice(FUNCS),
                url=rng.choice(URLS), k=rng.choice([3, 5, 7, 10, 30]), n=rng.choice(NAMES))  # fmt: skip
    question = rng.choice(CODE_ASK).format(task=task.format(**vals))
    answer = f"{rng.choice(CODE_INTRO)}\n\n```{lang}\n{snippet.format(**vals)}\n```\n\n{note.format(**vals)}"
    return {"domain": "code", "messages": [{"role": "user", "content": question},
                                            {"role": "assistant", "content": answer}]}  # fmt: skip


# --- classification ------------------------------------------------------------------------

ITEMS = [
    "blender",
    "backpack",
    "phone case",
    "desk lamp",
    "yoga mat",
    "water bottle",
    "rain jacket",
    "office chair",
    "air fryer",
    "keyboard",
    "tent",
    "running shoes",
    "monitor",
    "suitcase",
    "coffee grinder",
    "baby monitor",
    "hair dryer",
    "board game",
    "mattress",
    "drill",
]
POSITIVE = [
    "Absolutely love this {i}.",
    "The {i} exceeded my expectations.",
    "Great value for the price.",
    "Arrived a day early and works perfectly.",
    "Sturdy, well made and easy to set up.",
    "I've recommended this {i} to all my friends.",
    "Five stars, would buy again.",
    "Customer service was quick and friendly.",
    "Looks even better in person.",
    "Quiet and powerful.",
]
NEGATIVE = [
    "The {i} broke after two weeks.",
    "Completely useless, I want my money back.",
    "Arrived damaged and the box was crushed.",
    "Way too flimsy for the price.",
    "Stopped working after the first use.",
    "Support never answered my emails.",
    "The {i} smells like burning plastic.",
    "Cheap materials and poor stitching.",
    "Instructions were missing and parts did not fit.",
    "Returned it the same day.",
]
NEUTRAL = [
    "It's an average {i}, nothing special.",
    "Does the job, but the color is a bit off.",
    "Delivery took the usual time.",
    "The {i} is fine for occasional use.",
    "Some features are nice, others are missing.",
    "Packaging was plain.",
    "It works as described.",
    "Not sure yet, I've only used it once.",
    "Smaller than I expected, but okay.",
    "Price is about what you'd pay elsewhere.",
]
LABELS = {"Positive": POSITIVE, "Negative": NEGATIVE, "Neutral": NEUTRAL}


def classify(rng: random.Random) -> dict[str, Any]:
    label = rng.choice(list(LABELS))
    item = rng.choice(ITEMS)
    parts = [s.format(i=item) for s in rng.sample(LABELS[label], 2)]
    if rng.random() < 0.4:
        parts.append(
            rng.choice(
                [
                    f"Bought the {item} for my {r}."
                    for r in ("sister", "dad", "office", "kitchen", "camping trip", "son")
                ]
            )
        )
        rng.shuffle(parts)
    review = " ".join(parts)
    prefix = rng.choice(["Review: ", "", "Customer review: "])
    return {"domain": "classify", "messages": [{"role": "user", "content": prefix + review},
                                                {"role": "assistant", "content": label}]}  # fmt: skip


# --- JSON extraction -----------------------------------------------------------------------

VENDORS = [
    "Acme Office Supply",
    "Blue Harbor Catering",
    "Crestview IT Services",
    "Delta Print Shop",
    "Evergreen Landscaping",
    "Foxglove Consulting",
    "Granite Cloud Hosting",
    "Helix Lab Supplies",
    "Ironwood Security",
    "Juno Marketing Studio",
    "Keystone Plumbing",
    "Lumen Electric",
]
CURRENCIES = [("USD", "$"), ("EUR", "€"), ("GBP", "£")]
EXTRACT_TEMPLATES = [
    "Hi team, attached is invoice {num} from {vendor} for {sym}{amount}. Payment is due by {due_h}. Thanks!",
    "Invoice {num} — {vendor}. Amount due: {sym}{amount} ({cur}). Due date: {due_h}.",
    "Please process the {vendor} bill (ref {num}) for {amount} {cur}, due {due_h}.",
    "Reminder from {vendor}: invoice {num} totaling {sym}{amount} is due on {due_h}.",
    "{vendor} sent invoice {num}. They're asking for {sym}{amount}; no due date was given.",
]


def extract(rng: random.Random) -> dict[str, Any]:
    vendor = rng.choice(VENDORS)
    cur, sym = rng.choice(CURRENCIES)
    num = f"INV-{rng.randint(2023, 2025)}-{rng.randint(1000, 99999)}"
    amount = f"{rng.randint(80, 24000):,}.{rng.randint(0, 99):02d}"
    month, day, year = rng.randint(1, 12), rng.randint(1, 28), rng.choice([2024, 2025])
    due_h = rng.choice([f"{MONTHS[month - 1]} {day}, {year}", f"{year}-{month:02d}-{day:02d}",
                        f"{day} {MONTHS[month - 1]} {year}"])  # fmt: skip
    template = rng.choice(EXTRACT_TEMPLATES)
    text = template.format(num=num, vendor=vendor, sym=sym, amount=amount, cur=cur, due_h=due_h)
    due = None if "no due date" in template else f"{year}-{month:02d}-{day:02d}"
    obj = {"vendor": vendor, "invoice_number": num, "amount": float(amount.replace(",", "")),
           "currency": cur, "due_date": due}  # fmt: skip
    return {"domain": "extract", "messages": [{"role": "user", "content": text},
                                               {"role": "assistant", "content": json.dumps(obj)}]}  # fmt: skip


GENERATORS = {"support": support, "medical": medical, "legal": legal, "code": code,
              "classify": classify, "extract": extract}  # fmt: skip

#: Text that looks like a defect to a naive detector and is not one. Each becomes a clean
#: example (user, assistant, domain) that must produce no finding at all.
HARD_NEGATIVES: list[tuple[str, str, str]] = [
    ("support", "My CleanSweep robot vacuum died right after I set it up. The box says model CS-2210.",
     "I'm sorry to hear that, here's how to bring it back: place it on the dock for 30 minutes, then hold the power button for 10 seconds until it chimes. If it stays silent, we'll replace it under warranty."),
    ("support", "Is it really necessary to update the firmware on my SnapView camera? It's on 2.4.1 now.",
     "I cannot stress enough how important firmware updates are for security cameras. Version 2.6.0 fixes two security issues, so please install it from Settings > Device > Firmware."),
    ("support", "Can I get a refund for order NH-558120? I bought the BlendPro 900 blender for $129.99 on March 3.",
     "Unfortunately, I can't refund orders older than 30 days, but I can offer store credit for the full $129.99 or a free replacement. Just let me know which you prefer."),
    ("support", "I'm sorry to bother you again, but my kettle's light still blinks after descaling.",
     "No bother at all! A blinking light after descaling usually means the sensor needs a reset: unplug the KettleSmart for 60 seconds, then fill it to the 1.0 L mark and boil once."),
    ("support", "What's the Wi-Fi range of the AeroMesh router? My house is about 2,400 sq ft.",
     "Each AeroMesh unit covers about 1,500 sq ft, so for 2,400 sq ft we recommend two units. Place the second one halfway between the router and the rooms with weak signal."),
    ("support", "Does the PulseFit smartwatch work with Android 14 and iOS 17.5?",
     "Yes, it works with Android 9 or newer and iOS 15 or newer, so both Android 14 and iOS 17.5 are fully supported. Install the Nimbus Home app 5.2 or later for the best experience."),
    ("support", "My order #A-20931 shows as delivered on 2024-06-02 but nothing arrived.",
     "I'm sorry about that. Carriers sometimes mark parcels delivered a day early, so please check with neighbours and your building's mailroom today. If it hasn't turned up by tomorrow, reply here and we'll ship a replacement at no cost."),
    ("medical", "Clinical note: 57-year-old female seen for type 2 diabetes mellitus with hyperglycemia. A1c 8.9% on 04/12/2024. Date of service: 05/02/2024.",
     "E11.65 — Type 2 diabetes mellitus with hyperglycemia. The note documents hyperglycemia with an elevated A1c, which calls for the more specific code than E11.9."),
    ("medical", "Code this note: 44-year-old male with essential hypertension, BP 148/92 today. Follow-up visit scheduled for 07/15/2024. Room 12B.",
     "I10 — Essential (primary) hypertension. Elevated blood pressure is the only condition assessed; the follow-up date does not change the code."),
    ("medical", "What is the ICD-10-CM code? 33-year-old female, mild intermittent asthma, uses albuterol 90 mcg 2 puffs PRN. Peak flow 420 L/min.",
     "J45.20 — Mild intermittent asthma, uncomplicated. No exacerbation or status asthmaticus is documented."),
    ("legal", "Summarize this clause: The Licensee shall pay a fee of $25,000.00 within 30 days of the Effective Date of January 1, 2025, as set out in Section 4.2(b) of Exhibit A.",
     "The licensee must pay $25,000 within 30 days of the January 1, 2025 start date, as described in Section 4.2(b) of Exhibit A."),
    ("legal", "What does this mean in plain English? Notices shall be sent to 1200 Market Street, Suite 400, San Francisco, CA 94103, or such other address as a party designates.",
     "Formal notices must go to the listed San Francisco office address unless a party names a different address in writing."),
    ("code", "How do I format a string with a name variable in Python?",
     "Use an f-string:\n\n```python\nname = \"Ada\"\ngreeting = f\"Hello, {name}! Today is {today:%A}.\"\n# TODO: translate the greeting\n```\n\nThe expressions in braces are evaluated at runtime."),
    ("code", "Show me a JavaScript object with nested braces for a config file.",
     "Here is a typical config object:\n\n```javascript\nconst config = {\n  server: { port: 8080, host: \"0.0.0.0\" },\n  retry: { attempts: 3, backoffMs: [100, 200, 400] },\n};\n```\n\nNested objects keep related settings together."),
    ("code", "Which version of Node should I use with npm 10.2.4?",
     "npm 10.2.4 ships with Node.js 20.10.0, and any Node 18.17 or newer works with it. Check yours with `node --version`."),
    ("code", "How do I write a Jinja loop over items?",
     "Use a for block:\n\n```jinja\n<ul>\n{% for item in items %}\n  <li>{{ item.name }}</li>\n{% endfor %}\n</ul>\n```\n\nEach iteration renders one list item."),
    ("classify", "Review: I'm sorry to say the blender is louder than my old one, but it crushes ice in seconds.", "Neutral"),
    ("classify", "Review: Version 2 of this keyboard fixed every issue I had. Worth the $89.", "Positive"),
    ("extract", "Invoice INV-2024-55012 from Helix Lab Supplies for $1,250.00 was issued 2024-05-01 and is due 2024-05-31 (order 1002938475, 30 days net).",
     json.dumps({"vendor": "Helix Lab Supplies", "invoice_number": "INV-2024-55012", "amount": 1250.0, "currency": "USD", "due_date": "2024-05-31"})),
    ("extract", "Delta Print Shop, invoice 2024-118, €340.50, due 15 July 2025. PO number 4500012345.",
     json.dumps({"vendor": "Delta Print Shop", "invoice_number": "2024-118", "amount": 340.5, "currency": "EUR", "due_date": "2025-07-15"})),
]  # fmt: skip

#!/usr/bin/env python3
"""Generate ftprep's sample data sets (deterministic, stdlib only).

Run from the repository root:

    python sample_data/make_samples.py

It (re)writes, byte-identically on every run:

    sample_data/clinical_coding.jsonl   OpenAI chat JSONL, with injected defects
    sample_data/clinical_coding.csv     the same data as a raw CSV export
    sample_data/alpaca_small.json       a small Alpaca-format JSON array
    sample_data/README.md               description + table of every injected defect

Everything is synthetic: the notes are composed from templates and random fill-ins. No
real patient data is used. The only names, e-mail addresses, phone numbers and ID
numbers are obviously fake and appear only in the lines that are defects on purpose.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

SEED = 20240611
OUT = Path(__file__).resolve().parent

SYSTEM = (
    "You are a clinical coding assistant. Read the clinical note and assign the "
    "ICD-10-CM diagnosis code(s) supported by the documentation. Code only conditions "
    "the provider documents; do not code signs or symptoms that are integral to a "
    "confirmed diagnosis. Reply with compact JSON only: "
    '{"codes": [...], "rationale": "..."}.'
)
RARE_SYSTEM = "You are a helpful assistant that answers medical billing questions."
REFUSAL = "I'm sorry, but I cannot provide medical coding advice."

# Every ICD-10-CM code used in the clean answers, with its official short description.
ICD10 = {
    "A08.4": "Viral intestinal infection, unspecified",
    "B02.9": "Zoster without complications",
    "D50.9": "Iron deficiency anemia, unspecified",
    "E03.9": "Hypothyroidism, unspecified",
    "E11.22": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
    "E11.65": "Type 2 diabetes mellitus with hyperglycemia",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E55.9": "Vitamin D deficiency, unspecified",
    "E78.5": "Hyperlipidemia, unspecified",
    "E86.0": "Dehydration",
    "F17.210": "Nicotine dependence, cigarettes, uncomplicated",
    "F32.A": "Depression, unspecified",
    "F41.1": "Generalized anxiety disorder",
    "G43.909": "Migraine, unspecified, not intractable, without status migrainosus",
    "G47.00": "Insomnia, unspecified",
    "G47.33": "Obstructive sleep apnea (adult) (pediatric)",
    "H61.21": "Impacted cerumen, right ear",
    "H61.22": "Impacted cerumen, left ear",
    "H61.23": "Impacted cerumen, bilateral",
    "H66.91": "Otitis media, unspecified, right ear",
    "H66.92": "Otitis media, unspecified, left ear",
    "H66.93": "Otitis media, unspecified, bilateral",
    "I10": "Essential (primary) hypertension",
    "I11.0": "Hypertensive heart disease with heart failure",
    "I12.9": "Hypertensive chronic kidney disease with stage 1 through stage 4 chronic "
             "kidney disease, or unspecified chronic kidney disease",
    "I25.10": "Atherosclerotic heart disease of native coronary artery without angina pectoris",
    "I48.91": "Unspecified atrial fibrillation",
    "I50.22": "Chronic systolic (congestive) heart failure",
    "I50.23": "Acute on chronic systolic (congestive) heart failure",
    "J01.90": "Acute sinusitis, unspecified",
    "J02.0": "Streptococcal pharyngitis",
    "J02.9": "Acute pharyngitis, unspecified",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "J18.9": "Pneumonia, unspecified organism",
    "J20.9": "Acute bronchitis, unspecified",
    "J44.1": "Chronic obstructive pulmonary disease with (acute) exacerbation",
    "J44.9": "Chronic obstructive pulmonary disease, unspecified",
    "J45.901": "Unspecified asthma with (acute) exacerbation",
    "J45.909": "Unspecified asthma, uncomplicated",
    "K21.9": "Gastro-esophageal reflux disease without esophagitis",
    "K35.80": "Unspecified acute appendicitis",
    "K59.00": "Constipation, unspecified",
    "K80.20": "Calculus of gallbladder without cholecystitis without obstruction",
    "L03.115": "Cellulitis of right lower limb",
    "L03.116": "Cellulitis of left lower limb",
    "L50.9": "Urticaria, unspecified",
    "M17.11": "Unilateral primary osteoarthritis, right knee",
    "M17.12": "Unilateral primary osteoarthritis, left knee",
    "M54.50": "Low back pain, unspecified",
    "N18.30": "Chronic kidney disease, stage 3 unspecified",
    "N20.0": "Calculus of kidney",
    "N39.0": "Urinary tract infection, site not specified",
    "N40.1": "Benign prostatic hyperplasia with lower urinary tract symptoms",
    "R07.9": "Chest pain, unspecified",
    "R42": "Dizziness and giddiness",
    "R50.9": "Fever, unspecified",
    "R51.9": "Headache, unspecified",
    "S01.01XA": "Laceration without foreign body of scalp, initial encounter",
    "S52.501A": "Unspecified fracture of the lower end of right radius, initial encounter "
                "for closed fracture",
    "S52.502A": "Unspecified fracture of the lower end of left radius, initial encounter "
                "for closed fracture",
    "S61.411A": "Laceration without foreign body of right hand, initial encounter",
    "S61.412A": "Laceration without foreign body of left hand, initial encounter",
    "S93.401A": "Sprain of unspecified ligament of right ankle, initial encounter",
    "S93.402A": "Sprain of unspecified ligament of left ankle, initial encounter",
    "U07.1": "COVID-19",
    "Z23": "Encounter for immunization",
    "Z79.01": "Long term (current) use of anticoagulants",
    "Z79.4": "Long term (current) use of insulin",
    "Z79.84": "Long term (current) use of oral hypoglycemic drugs",
    "Z87.891": "Personal history of nicotine dependence",
}


# --------------------------------------------------------------------------- helpers
def pick(r: random.Random, *opts):
    return r.choice(opts)


def num(r: random.Random, lo: int, hi: int) -> str:
    return str(r.randint(lo, hi))


def dec(r: random.Random, lo: float, hi: float, nd: int = 1) -> str:
    return f"{r.uniform(lo, hi):.{nd}f}"


def cap(s: str) -> str:
    if s[:1].islower() and s[1:2].isupper():   # eGFR, pH...
        return s
    return s[:1].upper() + s[1:]


def fill(template: str, v: dict) -> str:
    return template.format_map(v)


def with_caps(v: dict) -> dict:
    out = dict(v)
    for k, val in v.items():
        if isinstance(val, str):
            out.setdefault(k[:1].upper() + k[1:], cap(val))
    return out


def side_vars(side: str) -> dict:
    return {"side": side}


def common_vars(r: random.Random) -> dict:
    return {
        "when": pick(r, "yesterday", "last night", "this morning", "Saturday",
                     "yesterday afternoon", "early today", "yesterday evening"),
        "fu": pick(r, "3 months", "6 weeks", "4 weeks", "6 months", "2 months", "8 weeks"),
        "dday": pick(r, "2", "3", "4"),
        "hrs": pick(r, "6", "8", "12", "18", "24", "36"),
    }


# --------------------------------------------------------------------------- conditions
# Each condition: variants (codes + rationale choices + variant vars), allowed note styles,
# age range, sex, hpi phrases ("P" presentation noun phrase / "V" reason-for-visit phrase),
# objective findings (prefix "L|" = labs/imaging only, usable in a telehealth note),
# assessment phrases, plans, optional hospital course + discharge plan, vitals profile,
# and whether chronic comorbidities may be documented alongside.

def V(codes, why, **kv):
    return {"codes": codes, "why": why, "v": kv}


LR = ("right", "left")

CONDITIONS = [
    dict(
        key="htn", weight=10, styles=("clinic", "tele", "soap"), age=(38, 86), sex=None,
        comorb=True, no=("htn",),
        variants=[V(["I10"], ["Essential hypertension documented; no heart or kidney "
                              "involvement stated.",
                              "Primary hypertension without documented heart or kidney disease."])],
        vars=lambda r: {"hs": num(r, 124, 150), "hd": num(r, 76, 92),
                        "bpmed": pick(r, "lisinopril", "amlodipine", "losartan",
                                      "chlorthalidone", "hydrochlorothiazide"),
                        "wks": pick(r, "2", "3", "4", "6")},
        post=lambda v: {"ctrl": ("at goal" if int(v["sbp"]) < 130 and int(v["dbp"]) < 80
                                 else "above goal")},
        hpi=[("V", "follow-up of hypertension, home readings running {hs}/{hd} mmHg"),
             ("V", "a blood pressure recheck {wks} weeks after starting {bpmed}"),
             ("V", "routine hypertension management, reporting good adherence to {bpmed}"),
             ("P", "elevated blood pressure readings at a pharmacy kiosk, on {bpmed}")],
        obj=["Repeat office BP {sbp}/{dbp}, HR {hr}, no edema",
             "L|Recent BMP with normal creatinine and potassium",
             "Seated BP {sbp}/{dbp}; heart regular without murmur, lungs clear",
             "L|Home log averages {hs}/{hd}, urinalysis negative for protein"],
        dx=["essential hypertension, {ctrl}", "primary hypertension", "HTN, {ctrl}"],
        plan=["Continue {bpmed} and low-sodium diet, recheck in {fu}",
              "Titrate {bpmed} and repeat BMP in 2 weeks",
              "Home BP monitoring twice daily; no medication changes today"],
        vit=dict(sbp=(122, 156), dbp=(72, 96)),
    ),
    dict(
        key="dm", weight=10, styles=("clinic", "tele", "soap"), age=(35, 84), sex=None,
        comorb=True, no=("dm",),
        variants=[
            V(["E11.9"], ["Type 2 diabetes without complications documented; diet-controlled.",
                          "Type 2 diabetes mellitus, no complications documented."],
              dmtx="diet and exercise alone", dmshort="diet-controlled"),
            V(["E11.9", "Z79.84"],
              ["Type 2 diabetes without complications; long-term metformin use coded.",
               "Uncomplicated type 2 diabetes on an oral hypoglycemic (metformin)."],
              dmtx="metformin 1000 mg twice daily", dmshort="on metformin"),
            V(["E11.9", "Z79.84"],
              ["Type 2 diabetes without complications; long-term oral hypoglycemic use.",
               "Uncomplicated type 2 diabetes managed with an oral agent (glipizide)."],
              dmtx="glipizide 5 mg daily", dmshort="on glipizide"),
        ],
        vars=lambda r: (lambda a: {"a1c": f"{a:.1f}", "a1c2": f"{a + r.uniform(0.2, 0.9):.1f}",
                                   "chk": pick(r, "once daily", "a few times a week",
                                               "before breakfast")})(r.uniform(6.1, 7.2)),
        hpi=[("V", "type 2 diabetes follow-up, managed with {dmtx}"),
             ("V", "a routine diabetes check, {dmshort} and checking sugars {chk}"),
             ("V", "type 2 diabetes review; denies polyuria or polydipsia, uses {dmtx}"),
             ("V", "a 3-month diabetes visit, {dmshort}, fasting sugars mostly under 130")],
        obj=["L|A1c {a1c}%, down from {a1c2}%", "Monofilament sensation intact bilaterally, "
             "A1c {a1c}%", "L|Hemoglobin A1c {a1c}%, urine albumin/creatinine ratio normal, "
             "eye exam this year without retinopathy",
             "Feet without ulcers, pedal pulses 2+; A1c {a1c}%"],
        dx=["type 2 diabetes mellitus without complications, well controlled",
            "T2DM, uncomplicated, at goal", "type 2 diabetes, controlled, no end-organ involvement"],
        plan=["No regimen changes; annual eye exam and recheck A1c in 3 months",
              "Reinforced carbohydrate counting, labs again in {fu}",
              "Continue current plan, daily foot checks reviewed"],
    ),
    dict(
        key="dm_hyper", weight=6, styles=("clinic", "tele", "soap"), age=(35, 80), sex=None,
        comorb=True, no=("dm",),
        variants=[
            V(["E11.65", "Z79.84"],
              ["Type 2 diabetes with hyperglycemia (poorly controlled); long-term oral "
               "hypoglycemic use.",
               "Uncontrolled type 2 diabetes coded as with hyperglycemia; on metformin."],
              dmtx="metformin 500 mg twice daily", titrate="increase metformin to 1000 mg "
              "twice daily"),
            V(["E11.65", "Z79.4"],
              ["Type 2 diabetes with hyperglycemia; long-term insulin use.",
               "Poorly controlled type 2 diabetes (hyperglycemia) on basal insulin."],
              dmtx="insulin glargine 20 units nightly",
              titrate="increase glargine by 2 units every 3 days to a fasting goal under 130"),
        ],
        vars=lambda r: {"a1c": dec(r, 8.6, 11.8), "a1cp": dec(r, 7.4, 8.4),
                        "glu": num(r, 230, 340), "fbg": pick(r, "180s", "190s", "200s", "220s")},
        hpi=[("V", "follow-up for type 2 diabetes with fasting sugars in the {fbg} on {dmtx}"),
             ("P", "worsening glycemic control despite {dmtx}"),
             ("V", "a diabetes visit after dietary lapses over the holidays, taking {dmtx}")],
        obj=["L|A1c {a1c}%, up from {a1cp}%", "L|Point-of-care glucose {glu} mg/dL, A1c {a1c}%, "
             "urine ketones negative", "A1c {a1c}%, foot exam normal, BMI stable"],
        dx=["type 2 diabetes with hyperglycemia", "uncontrolled type 2 diabetes mellitus "
            "with hyperglycemia", "T2DM, poorly controlled, hyperglycemic"],
        plan=["Plan to {titrate}; diabetes education referral placed",
              "Will {titrate} and recheck A1c in 3 months",
              "{Titrate}; hypoglycemia precautions reviewed"],
    ),
    dict(
        key="dm_ckd", weight=3, styles=("clinic", "soap"), age=(58, 86), sex=None,
        comorb=True, no=("dm", "htn"),
        variants=[V(["E11.22", "I12.9", "N18.30", "Z79.84"],
                    ["Diabetic CKD (E11.22) with hypertensive CKD (I12.9); CKD stage 3 "
                     "(N18.30); long-term oral hypoglycemic.",
                     "Diabetes and hypertension are presumed linked to CKD stage 3; "
                     "glipizide use coded."])],
        vars=lambda r: {"egfr": num(r, 33, 57), "uacr": num(r, 40, 260), "a1c": dec(r, 6.4, 7.3),
                        "cr": dec(r, 1.3, 1.9)},
        hpi=[("V", "follow-up of type 2 diabetes, hypertension, and stage 3 chronic kidney "
                   "disease, on glipizide and lisinopril"),
             ("V", "review of diabetic and hypertensive CKD stage 3; takes glipizide 5 mg daily"),
             ("V", "type 2 diabetes with CKD stage 3 and long-standing hypertension, "
                   "adherent to glipizide")],
        obj=["L|eGFR {egfr} mL/min/1.73m2, urine albumin/creatinine {uacr} mg/g, A1c {a1c}%",
             "L|Creatinine {cr}, eGFR {egfr}; BP {sbp}/{dbp}", "A1c {a1c}%, eGFR stable at {egfr}"],
        dx=["type 2 diabetes with diabetic CKD stage 3; hypertensive CKD",
            "T2DM with stage 3 chronic kidney disease, and hypertension",
            "CKD stage 3 due to type 2 diabetes and hypertension"],
        plan=["Continue lisinopril, start empagliflozin, nephrology referral",
              "Renal dosing of medications reviewed, repeat BMP in {fu}",
              "Continue glipizide; avoid NSAIDs"],
    ),
    dict(
        key="hld", weight=6, styles=("clinic", "tele", "soap"), age=(40, 82), sex=None,
        comorb=True, no=("hld",),
        variants=[V(["E78.5"], ["Hyperlipidemia documented; no further type specified.",
                                "Hyperlipidemia, unspecified (dyslipidemia on a statin)."])],
        vars=lambda r: {"statin": pick(r, "atorvastatin", "rosuvastatin", "simvastatin",
                                       "pravastatin"),
                        "sdose": pick(r, "10", "20", "40"), "ldl": num(r, 92, 168),
                        "hdl": num(r, 36, 62), "tg": num(r, 120, 240), "tc": num(r, 190, 262)},
        hpi=[("V", "lipid follow-up on {statin} {sdose} mg nightly"),
             ("V", "review of a fasting lipid panel; tolerating {statin} without myalgias"),
             ("V", "an annual visit focused on cholesterol management, currently on {statin}")],
        obj=["L|LDL {ldl} mg/dL, HDL {hdl}, triglycerides {tg}; ALT normal",
             "L|Fasting lipids: total cholesterol {tc}, LDL {ldl}, triglycerides {tg}",
             "No xanthomas, exam unremarkable; LDL {ldl} mg/dL"],
        dx=["hyperlipidemia", "hyperlipidemia, on statin therapy", "dyslipidemia"],
        plan=["Continue {statin}, repeat lipids in 12 months",
              "Increase {statin} dose and reinforce a Mediterranean-style diet",
              "Discussed ASCVD risk; continue current dose"],
    ),
    dict(
        key="hypothyroid", weight=5, styles=("clinic", "tele", "soap"), age=(25, 85), sex="F",
        comorb=True, no=("hypothyroid",),
        variants=[V(["E03.9"], ["Hypothyroidism, not further specified.",
                                "Hypothyroidism on replacement; no type documented."])],
        vars=lambda r: {"lt4": pick(r, "50", "75", "88", "100", "112", "125"),
                        "tsh": dec(r, 0.8, 8.9, 2)},
        hpi=[("V", "follow-up of hypothyroidism on levothyroxine {lt4} mcg daily"),
             ("P", "fatigue and cold intolerance with known hypothyroidism on levothyroxine"),
             ("V", "a thyroid recheck 6 weeks after a levothyroxine dose change")],
        obj=["L|TSH {tsh} mIU/L, free T4 within normal limits", "No goiter on exam; TSH {tsh}",
             "Thyroid nonpalpable, reflexes normal, TSH {tsh} mIU/L"],
        dx=["hypothyroidism", "hypothyroidism, on replacement therapy", "acquired hypothyroidism"],
        plan=["Levothyroxine adjusted per TSH, recheck in 6-8 weeks",
              "Continue current dose, take on an empty stomach",
              "Repeat TSH in {fu}"],
    ),
    dict(
        key="gerd", weight=5, styles=("clinic", "tele", "uc", "soap"), age=(24, 80), sex=None,
        comorb=True, no=("gerd",),
        variants=[V(["K21.9"], ["GERD without documented esophagitis.",
                                "Gastro-esophageal reflux disease; esophagitis not documented."])],
        vars=lambda r: {"d": pick(r, "3 weeks", "2 months", "several weeks", "6 weeks")},
        hpi=[("P", "{d} of burning retrosternal discomfort after meals, worse lying down"),
             ("P", "recurrent heartburn and a sour taste at night for {d}"),
             ("V", "follow-up of reflux symptoms on omeprazole 20 mg daily")],
        obj=["Abdomen soft, mild epigastric tenderness, no guarding",
             "Exam benign; no weight loss, dysphagia, or melena reported",
             "L|EGD last year without esophagitis"],
        dx=["gastroesophageal reflux disease without esophagitis", "GERD, no esophagitis",
            "reflux disease"],
        plan=["Start omeprazole 20 mg before breakfast and elevate head of bed",
              "Trial of famotidine at bedtime, avoid late meals",
              "Continue PPI for 8 weeks then attempt taper"],
    ),
    dict(
        key="lbp", weight=6, styles=("uc", "clinic", "ed", "tele"), age=(22, 74), sex=None,
        comorb=True, no=(),
        variants=[V(["M54.50"], ["Low back pain without radiculopathy or other specified cause.",
                                 "Nonspecific low back pain; no radiculopathy documented."])],
        vars=lambda r: {"d": pick(r, "3 days", "a week", "5 days", "10 days"),
                        "trig": pick(r, "lifting boxes", "gardening", "moving furniture",
                                     "a long drive", "shoveling snow")},
        hpi=[("P", "low back pain for {d} after {trig}, no leg radiation"),
             ("P", "{d} of aching lower back pain, worse with bending, no numbness or weakness"),
             ("P", "midline low back discomfort since {trig}, no bowel or bladder changes")],
        obj=["Paraspinal lumbar tenderness, negative straight-leg raise, strength 5/5",
             "Lumbar range of motion limited by pain; reflexes symmetric, no saddle anesthesia",
             "Tender lower lumbar musculature, neuro exam intact"],
        dx=["low back pain", "acute mechanical low back pain without radiculopathy",
            "lumbar back pain, nonspecific"],
        plan=["NSAIDs, heat, and activity as tolerated; no imaging indicated",
              "Physical therapy referral with red-flag return precautions",
              "Naproxen 500 mg twice daily with food for 7 days"],
    ),
    dict(
        key="depr", weight=5, styles=("clinic", "tele", "soap"), age=(19, 76), sex=None,
        comorb=True, no=("depr",),
        variants=[V(["F32.A"], ["Depression documented without episode or severity.",
                                "Depression, unspecified; no major depressive episode specified."])],
        vars=lambda r: {"d": pick(r, "about 6 weeks", "2 months", "several months"),
                        "trig2": pick(r, "a job loss this spring", "a recent divorce",
                                      "moving to a new city", "the death of a parent last year"),
                        "phq": num(r, 10, 19), "ser": pick(r, "50", "100")},
        hpi=[("P", "low mood, poor sleep, and loss of interest for {d}"),
             ("V", "follow-up of depression on sertraline {ser} mg daily"),
             ("P", "feeling down and fatigued since {trig2}")],
        obj=["PHQ-9 score {phq}; denies suicidal ideation",
             "Affect constricted, thought process linear, no SI or HI",
             "L|PHQ-9 {phq}, safety screen negative"],
        dx=["depression", "depression, unspecified"],
        plan=["Start sertraline 50 mg daily and refer to counseling",
              "Continue SSRI, behavioral health follow-up in 4 weeks",
              "Crisis resources discussed; recheck PHQ-9 in {fu}"],
    ),
    dict(
        key="gad", weight=4, styles=("clinic", "tele"), age=(19, 70), sex=None,
        comorb=True, no=(),
        variants=[V(["F41.1"], ["Generalized anxiety disorder documented.",
                                "GAD meets documentation for F41.1."])],
        vars=lambda r: {"gad": num(r, 10, 18), "esc": pick(r, "10", "20")},
        hpi=[("P", "excessive worry most days for over 6 months, with muscle tension and poor "
                   "concentration"),
             ("V", "follow-up of generalized anxiety disorder on escitalopram {esc} mg"),
             ("P", "persistent restlessness and difficulty controlling worry about work")],
        obj=["GAD-7 score {gad}; no panic attacks reported", "Anxious affect, speech normal, no SI",
             "L|GAD-7 {gad}, TSH normal last month"],
        dx=["generalized anxiety disorder", "GAD"],
        plan=["Start escitalopram 10 mg daily and CBT referral",
              "Continue current dose, sleep hygiene reviewed",
              "Follow up in {fu} to reassess GAD-7"],
    ),
    dict(
        key="migraine", weight=5, styles=("uc", "clinic", "ed", "tele"), age=(16, 55), sex="F",
        comorb=False, no=(),
        variants=[V(["G43.909"], ["Migraine without mention of aura, intractability, or status.",
                                  "Migraine, not intractable; no status migrainosus documented."])],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "12 hours", "since waking")},
        hpi=[("P", "recurrent throbbing headache with photophobia and nausea, similar to prior "
                   "migraines"),
             ("P", "unilateral pulsating headache for {d} with light sensitivity, known migraine "
                   "history"),
             ("P", "a typical migraine since {when} without new neurologic symptoms")],
        obj=["Neuro exam nonfocal, fundi normal", "Alert, no meningismus, cranial nerves intact",
             "Normal neurologic exam, BP {sbp}/{dbp}"],
        dx=["migraine", "migraine headache", "migraine, not intractable"],
        plan=["Sumatriptan 50 mg at onset and a headache diary",
              "IV fluids, metoclopramide, and ketorolac with resolution of pain",
              "Triggers discussed, magnesium started for prevention"],
    ),
    dict(
        key="headache", weight=3, styles=("ed", "uc"), age=(18, 70), sex=None,
        comorb=True, no=(),
        variants=[V(["R51.9"], ["Headache without an established underlying diagnosis.",
                                "Symptom code: headache, cause not determined."])],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "3 days")},
        hpi=[("P", "{d} of diffuse headache, not the worst of life, no fever or neck stiffness"),
             ("P", "gradual-onset frontal headache since {when} with mild nausea"),
             ("P", "headache after a stressful week, no trauma or visual changes")],
        obj=["Neuro exam nonfocal; CT head without acute findings",
             "No meningismus, fundi sharp, gait normal",
             "Normal neuro exam, improved after acetaminophen"],
        dx=["headache, unspecified", "nonspecific headache", "headache, etiology unclear"],
        plan=["Discharged with acetaminophen and PCP follow-up",
              "Return precautions for fever, weakness, or worst headache",
              "Hydration and rest, follow up if persistent"],
    ),
    dict(
        key="pna", weight=8, styles=("ed", "dc"), age=(30, 92), sex=None,
        comorb=True, no=(),
        variants=[V(["J18.9"], ["Pneumonia with no organism identified.",
                                "Community-acquired pneumonia, organism unspecified."])],
        vars=lambda r: {"d": pick(r, "3 days", "4 days", "5 days", "a week"),
                        "ls": pick(r, "right", "left"), "wbc": dec(r, 12.1, 19.8)},
        cc=["cough and fever for {d}", "productive cough and SOB", "fever with pleuritic chest pain"],
        hpi=[("P", "{d} of productive cough, fever, and pleuritic chest pain"),
             ("P", "fever, chills, and worsening shortness of breath for {d}"),
             ("P", "cough with yellow sputum and fatigue for {d}")],
        obj=["Crackles at the {ls} base; chest X-ray with {ls} lower lobe consolidation",
             "CXR with a {ls} lower lobe infiltrate, WBC {wbc}",
             "Decreased breath sounds at the {ls} base, WBC {wbc}, lactate normal"],
        dx=["community-acquired pneumonia", "pneumonia, organism unspecified", "CAP"],
        plan=["Ceftriaxone and azithromycin started, admitted to medicine",
              "Amoxicillin-clavulanate plus doxycycline with follow-up in 48 hours",
              "Oral amoxicillin and incentive spirometry, return if worsening"],
        course=["Treated with IV ceftriaxone and azithromycin, transitioned to oral "
                "antibiotics on day {dday}",
                "Improved on IV antibiotics with oxygen weaned to room air by day {dday}"],
        dcplan=["Discharged home to complete 5 days of oral antibiotics",
                "Discharged with PCP follow-up in 1 week and repeat CXR in 6 weeks"],
        vit=dict(t=(38.1, 39.5), hr=(96, 122), rr=(20, 28), spo2=(89, 94)),
    ),
    dict(
        key="uti", weight=7, styles=("uc", "clinic", "ed", "tele"), age=(18, 88), sex="F",
        comorb=True, no=(),
        variants=[V(["N39.0"], ["Urinary tract infection, site not specified.",
                                "UTI documented without a specified site."])],
        vars=lambda r: {"d": pick(r, "2 days", "3 days", "a day", "4 days")},
        hpi=[("P", "dysuria and urinary frequency for {d}, no flank pain"),
             ("P", "burning with urination and suprapubic discomfort since {when}"),
             ("P", "{d} of urgency and dysuria without fever or vaginal discharge")],
        obj=["L|UA positive for leukocyte esterase and nitrites",
             "Urinalysis with pyuria and bacteriuria; no CVA tenderness",
             "Urine dip nitrite positive with large leukocytes, afebrile"],
        dx=["urinary tract infection", "UTI", "uncomplicated urinary tract infection"],
        plan=["Nitrofurantoin 100 mg twice daily for 5 days, urine culture sent",
              "Cephalexin for 7 days and increased fluids",
              "Culture pending; return if fever or flank pain"],
    ),
    dict(
        key="af", weight=6, styles=("ed", "dc", "clinic"), age=(55, 90), sex=None,
        comorb=True, no=(),
        variants=[
            V(["I48.91"], ["Atrial fibrillation, type not specified.",
                           "Unspecified atrial fibrillation; no anticoagulant use documented."],
              ac="not on anticoagulation", acplan="anticoagulation deferred to cardiology"),
            V(["I48.91", "Z79.01"],
              ["Atrial fibrillation, type not specified; long-term apixaban use.",
               "Unspecified atrial fibrillation with current anticoagulant therapy."],
              ac="on apixaban 5 mg twice daily", acplan="continue apixaban"),
        ],
        vars=lambda r: (lambda h: {"hrAF": str(h), "hr_override": str(h),
                                   "chads": num(r, 2, 5),
                                   "afrate": ("with rapid ventricular response" if h > 110
                                              else "with controlled rate")})(r.randint(78, 148)),
        cc=["palpitations for {hrs} hours, {ac}", "racing heart and lightheadedness, {ac}"],
        hpi=[("P", "palpitations and mild dyspnea for {hrs} hours, {ac}"),
             ("P", "an irregular heartbeat flagged by a smartwatch, {ac}"),
             ("P", "fatigue and intermittent palpitations with known atrial fibrillation, {ac}")],
        obj=["ECG with atrial fibrillation at a ventricular rate of {hrAF}, troponin negative",
             "Irregularly irregular rhythm at {hrAF} bpm; TSH normal",
             "ECG: atrial fibrillation, rate {hrAF}, no ST changes"],
        dx=["atrial fibrillation {afrate}", "atrial fibrillation", "AF {afrate}"],
        plan=["Rate control with diltiazem; {acplan}",
              "Metoprolol titrated, CHA2DS2-VASc {chads}, {acplan}",
              "Cardiology follow-up arranged; {acplan}"],
        course=["Rate controlled with IV diltiazem then oral metoprolol",
                "Converted to sinus rhythm spontaneously on hospital day {dday}"],
        dcplan=["Discharged on metoprolol succinate; {acplan}",
                "Home with event monitor; {acplan}"],
    ),
    dict(
        key="copd", weight=5, styles=("clinic", "soap", "tele"), age=(50, 85), sex=None,
        comorb=True, no=("smoker", "asthma"),
        variants=[
            V(["J44.9", "F17.210"], ["COPD without exacerbation; current cigarette dependence.",
                                     "Stable COPD plus nicotine dependence, cigarettes."],
              smk="current smoker at 1 pack per day",
              smkplan="smoking cessation counseled and nicotine patch started"),
            V(["J44.9", "Z87.891"], ["COPD without exacerbation; former smoker (history code).",
                                     "Stable COPD; personal history of nicotine dependence."],
              smk="former smoker who quit 8 years ago",
              smkplan="praised for remaining tobacco-free"),
        ],
        vars=lambda r: {"ratio": dec(r, 0.48, 0.66, 2), "fev1": num(r, 48, 72),
                        },
        vit=dict(spo2=(91, 96)),
        hpi=[("V", "COPD follow-up; {smk}, stable dyspnea on exertion"),
             ("V", "a routine COPD visit, using tiotropium daily; {smk}"),
             ("P", "chronic cough and exertional dyspnea from COPD, {smk}, no recent flares")],
        obj=["Scattered expiratory wheezes, SpO2 {spo2}% on room air",
             "L|Spirometry FEV1/FVC {ratio}, FEV1 {fev1}% predicted",
             "Prolonged expiration, no accessory muscle use"],
        dx=["COPD, stable", "chronic obstructive pulmonary disease without exacerbation", "COPD"],
        plan=["Continue tiotropium, pulmonary rehab referral; {smkplan}",
              "Inhaler technique reviewed; {smkplan}",
              "Continue current inhalers and recheck in {fu}"],
    ),
    dict(
        key="copd_ex", weight=5, styles=("ed", "dc"), age=(52, 88), sex=None,
        comorb=True, no=("smoker", "asthma"),
        variants=[
            V(["J44.1", "F17.210"], ["COPD with acute exacerbation; current cigarette dependence.",
                                     "Acute exacerbation of COPD in an active smoker."],
              smk="active smoker"),
            V(["J44.1", "Z87.891"], ["COPD with acute exacerbation; history of nicotine "
                                     "dependence.",
                                     "COPD exacerbation; former smoker."],
              smk="former smoker"),
        ],
        vars=lambda r: {"d": pick(r, "2 days", "3 days", "4 days"), "ph": dec(r, 7.33, 7.38, 2)},
        cc=["SOB and wheezing for {d}, {smk}", "worsening dyspnea and cough, {smk}"],
        hpi=[("P", "{d} of increased dyspnea, wheezing, and sputum, {smk}"),
             ("P", "worsening shortness of breath despite home albuterol, {smk}"),
             ("P", "increased cough and change in sputum color over {d} in a {smk} with COPD")],
        obj=["Diffuse wheezes with prolonged expiration; CXR without infiltrate",
             "CXR clear of consolidation, VBG pH {ph}",
             "Accessory muscle use, no infiltrate on chest film"],
        dx=["COPD exacerbation", "acute exacerbation of COPD",
            "chronic obstructive pulmonary disease with acute exacerbation"],
        plan=["DuoNebs, prednisone 40 mg for 5 days, and doxycycline",
              "Nebulized bronchodilators and IV methylprednisolone, admitted for monitoring",
              "Improved after nebs, discharged with steroid burst and inhaler teaching"],
        course=["Treated with nebulized bronchodilators, systemic steroids, and azithromycin",
                "Required BiPAP overnight, then weaned to room air by day {dday}"],
        dcplan=["Discharged on a prednisone taper with pulmonology follow-up",
                "Home with inhaler teaching and a COPD action plan"],
        vit=dict(hr=(98, 118), rr=(22, 30), spo2=(86, 92)),
    ),
    dict(
        key="asthma", weight=4, styles=("clinic", "tele", "soap"), age=(8, 60), sex=None,
        comorb=True, no=("asthma",),
        variants=[V(["J45.909"], ["Asthma, severity not specified, without exacerbation.",
                                  "Uncomplicated asthma; no severity documented."])],
        vars=lambda r: {"puffs": pick(r, "once", "twice", "two to three"), "pef": num(r, 84, 98),
                        "act": num(r, 20, 25),
                        "ics": pick(r, "budesonide-formoterol", "fluticasone", "mometasone")},
        hpi=[("V", "asthma follow-up, using albuterol {puffs} a week with no night waking"),
             ("V", "a routine asthma check, symptoms controlled on {ics}"),
             ("V", "asthma review; occasional wheeze with seasonal allergies")],
        obj=["Lungs clear, peak flow {pef}% of personal best",
             "No wheezing, ACT score {act}", "L|Asthma Control Test {act}"],
        dx=["asthma, uncomplicated", "asthma, well controlled", "asthma without exacerbation"],
        plan=["Continue {ics} with albuterol as needed; action plan updated",
              "Continue current controller, recheck in {fu}",
              "Spacer technique reviewed, no changes"],
    ),
    dict(
        key="asthma_ex", weight=4, styles=("ed", "uc"), age=(5, 55), sex=None,
        comorb=False, no=(),
        variants=[V(["J45.901"], ["Asthma with acute exacerbation, severity not specified.",
                                  "Acute asthma exacerbation; persistence/severity not stated."])],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "3 days"), "pef": num(r, 45, 65),
                        "pef2": num(r, 72, 88)},
        cc=["wheezing and chest tightness", "asthma flare, using inhaler often"],
        hpi=[("P", "wheezing and chest tightness since {when} after exposure to a cat"),
             ("P", "{d} of cough and wheeze, using the rescue inhaler every 2 hours"),
             ("P", "acute shortness of breath with known asthma after smoke exposure")],
        obj=["Diffuse expiratory wheezes, speaking in full sentences",
             "Peak flow {pef}% predicted, improved to {pef2}% after nebs",
             "Mild retractions and wheeze that improved after albuterol-ipratropium"],
        dx=["asthma exacerbation", "acute asthma exacerbation", "asthma with acute exacerbation"],
        plan=["Three DuoNebs and oral dexamethasone, discharged with albuterol",
              "Prednisone 5-day burst, PCP follow-up in 2 days",
              "Steroids given, observed 2 hours, stable for discharge"],
        vit=dict(hr=(100, 124), rr=(22, 30), spo2=(91, 95)),
    ),
    dict(
        key="ankle", weight=5, styles=("uc", "ed"), age=(12, 60), sex=None,
        comorb=False, no=(),
        variants=[V(["S93.401A"], ["Right ankle sprain, ligament not specified, initial "
                                   "encounter.", "Initial encounter for a right ankle sprain."],
                    side="right"),
                  V(["S93.402A"], ["Left ankle sprain, ligament not specified, initial "
                                   "encounter.", "Initial encounter for a left ankle sprain."],
                    side="left")],
        vars=lambda r: {"act": pick(r, "running", "hiking", "coming down stairs"),
                        "sport": pick(r, "basketball", "soccer", "volleyball", "tennis")},
        cc=["{side} ankle pain after a twisting injury", "{side} ankle injury"],
        hpi=[("P", "an inversion injury of the {side} ankle while {act}"),
             ("P", "{side} ankle pain and swelling after landing awkwardly playing {sport}"),
             ("P", "a rolled {side} ankle stepping off a curb {when}")],
        obj=["Lateral {side} ankle swelling and tenderness, able to bear weight; Ottawa rules "
             "negative", "X-ray of the {side} ankle negative for fracture",
             "Ecchymosis below the {side} lateral malleolus without bony tenderness"],
        dx=["{side} ankle sprain", "sprain of the {side} ankle, initial encounter",
            "{side} ankle sprain, ligament not specified"],
        plan=["RICE, ankle brace, and ibuprofen",
              "Air splint and crutches as needed, follow up if not better in 1 week",
              "Weight bearing as tolerated with a compression wrap"],
    ),
    dict(
        key="cellulitis", weight=5, styles=("ed", "dc"), age=(30, 86), sex=None,
        comorb=True, no=(),
        variants=[V(["L03.115"], ["Cellulitis of the right lower limb.",
                                  "Right lower extremity cellulitis without abscess."],
                    side="right"),
                  V(["L03.116"], ["Cellulitis of the left lower limb.",
                                  "Left lower extremity cellulitis without abscess."],
                    side="left")],
        vars=lambda r: {"d": pick(r, "2 days", "3 days", "4 days"), "cm": num(r, 6, 18),
                        "wbc": dec(r, 10.8, 16.4)},
        cc=["red swollen {side} leg", "{side} leg redness and pain"],
        hpi=[("P", "redness, warmth, and swelling of the {side} lower leg for {d}"),
             ("P", "spreading erythema on the {side} shin without clear trauma"),
             ("P", "a painful red {side} calf for {d}")],
        obj=["Erythema of the {side} lower leg, no fluctuance; duplex negative for DVT",
             "Warm, tender {side} shin with {cm} cm of erythema, WBC {wbc}",
             "{Side} lower leg erythema without abscess on bedside ultrasound"],
        dx=["cellulitis of the {side} lower leg", "{side} lower extremity cellulitis",
            "nonpurulent cellulitis, {side} leg"],
        plan=["Cephalexin 500 mg four times daily for 5 days, borders marked",
              "IV cefazolin and elevation, admitted",
              "Oral antibiotics and recheck in 48 hours"],
        course=["Treated with IV cefazolin with steady regression of erythema",
                "Improved on IV antibiotics and transitioned to oral cephalexin on day {dday}"],
        dcplan=["Discharged to complete 7 days of cephalexin with leg elevation",
                "Home with wound clinic follow-up in 1 week"],
        vit=dict(t=(37.2, 38.6), hr=(84, 106)),
    ),
    dict(
        key="uri", weight=5, styles=("uc", "clinic", "tele"), age=(2, 70), sex=None,
        comorb=False, no=(),
        variants=[V(["J06.9"], ["Acute upper respiratory infection, unspecified.",
                                "Viral URI without a more specific site documented."])],
        vars=lambda r: {"d": pick(r, "3 days", "4 days", "2 days", "5 days")},
        hpi=[("P", "nasal congestion, sore throat, and cough for {d}"),
             ("P", "{d} of rhinorrhea and mild cough with sick contacts at home"),
             ("P", "congestion and a low-grade fever since {when}")],
        obj=["Clear rhinorrhea, pharynx mildly erythematous, lungs clear",
             "Afebrile, TMs normal, no sinus tenderness",
             "L|COVID and influenza swabs negative"],
        dx=["viral upper respiratory infection", "acute URI", "upper respiratory infection"],
        plan=["Supportive care with fluids, saline spray, and honey for cough",
              "Symptomatic treatment, return if fever persists beyond 3 days",
              "No antibiotics indicated; rest and hydration"],
    ),
    dict(
        key="strep", weight=4, styles=("uc", "clinic", "ed"), age=(4, 40), sex=None,
        comorb=False, no=(),
        variants=[V(["J02.0"], ["Streptococcal pharyngitis confirmed by rapid strep.",
                                "Strep throat with a positive rapid antigen test."])],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "3 days")},
        hpi=[("P", "sore throat and fever for {d}, no cough"),
             ("P", "painful swallowing and fever since {when}"),
             ("P", "throat pain with swollen neck glands for {d}")],
        obj=["Tonsillar exudate, tender anterior cervical nodes; rapid strep positive",
             "Rapid strep antigen positive, uvula midline",
             "Erythematous tonsils with exudate and a positive rapid strep"],
        dx=["streptococcal pharyngitis", "strep throat", "group A strep pharyngitis"],
        plan=["Amoxicillin for 10 days", "Penicillin V for 10 days, school note provided",
              "Single dose of IM benzathine penicillin given"],
        vit=dict(t=(38.0, 39.4), hr=(92, 118)),
    ),
    dict(
        key="phar", weight=3, styles=("uc", "tele", "clinic"), age=(12, 60), sex=None,
        comorb=False, no=(),
        variants=[V(["J02.9"], ["Acute pharyngitis, strep negative, no organism identified.",
                                "Acute pharyngitis, unspecified."])],
        vars=lambda r: {"d": pick(r, "2 days", "3 days", "4 days")},
        hpi=[("P", "scratchy sore throat for {d} with mild hoarseness"),
             ("P", "throat pain since {when}, no fever"),
             ("P", "{d} of sore throat, worse in the morning")],
        obj=["Pharynx erythematous without exudate; rapid strep negative, culture sent",
             "L|Rapid strep negative", "Mild pharyngeal erythema, no tonsillar swelling"],
        dx=["acute pharyngitis", "pharyngitis, strep negative"],
        plan=["Salt-water gargles and ibuprofen; will call with culture result",
              "Lozenges and fluids, return if drooling or trouble swallowing",
              "Supportive care only"],
    ),
    dict(
        key="otitis", weight=5, styles=("uc", "clinic", "ed"), age=(1, 10), sex=None,
        comorb=False, no=(),
        variants=[V(["H66.91"], ["Otitis media of the right ear, type not specified.",
                                 "Right-ear acute otitis media (unspecified type)."],
                    ear="the right ear", earx="right ear", tm="right TM"),
                  V(["H66.92"], ["Otitis media of the left ear, type not specified.",
                                 "Left-ear acute otitis media (unspecified type)."],
                    ear="the left ear", earx="left ear", tm="left TM"),
                  V(["H66.93"], ["Bilateral otitis media, type not specified.",
                                 "Acute otitis media in both ears (unspecified type)."],
                    ear="both ears", earx="bilateral", tm="both TMs")],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "3 days"), "tmaxF": dec(r, 100.6, 103.2)},
        cc=["ear pain and fever", "fussy, pulling at ears"],
        hpi=[("P", "ear pulling and fussiness for {d} with fever to {tmaxF} F"),
             ("P", "ear pain in {ear} since {when}"),
             ("P", "fever and ear pain with poor sleep for {d}")],
        obj=["{Tm}: bulging, erythematous, poor mobility",
             "Otoscopy shows a bulging, opaque {tm}", "{Tm} red and bulging, canal clear"],
        dx=["acute otitis media, {earx}", "AOM, {earx}", "otitis media of {ear}"],
        plan=["Amoxicillin 90 mg/kg/day divided twice daily for 10 days",
              "Ibuprofen for pain and amoxicillin, recheck if no better in 48-72 hours",
              "Watchful waiting with a safety-net antibiotic prescription"],
        vit=dict(t=(37.9, 39.4)),
    ),
    dict(
        key="appy", weight=4, styles=("ed", "dc"), age=(10, 55), sex=None,
        comorb=False, no=(),
        variants=[V(["K35.80"], ["Acute appendicitis, type not further specified.",
                                 "Unspecified acute appendicitis."])],
        vars=lambda r: {"wbc": dec(r, 12.4, 18.9), "appmm": num(r, 8, 13)},
        cc=["RLQ abdominal pain", "abdominal pain and vomiting"],
        hpi=[("P", "periumbilical pain migrating to the right lower quadrant over {hrs} hours "
                   "with anorexia"),
             ("P", "RLQ abdominal pain, nausea, and low-grade fever since {when}"),
             ("P", "{hrs} hours of worsening right lower quadrant pain, vomited twice")],
        obj=["McBurney point tenderness, WBC {wbc}; CT with a dilated appendix and "
             "periappendiceal stranding", "Ultrasound shows a noncompressible appendix "
             "measuring {appmm} mm", "Rebound tenderness in the RLQ, WBC {wbc}, CT consistent "
             "with appendicitis"],
        dx=["acute appendicitis", "appendicitis, acute"],
        plan=["NPO, IV fluids, and piperacillin-tazobactam; surgery consulted",
              "Taken to the OR for laparoscopic appendectomy",
              "Surgical consult placed, IV antibiotics started"],
        course=["Underwent laparoscopic appendectomy on the day of admission",
                "Laparoscopic appendectomy performed, tolerated diet by postoperative day 1"],
        dcplan=["Discharged home with activity restrictions for 2 weeks",
                "Surgery clinic follow-up in 10 days"],
        vit=dict(t=(37.4, 38.5), hr=(92, 116)),
    ),
    dict(
        key="hf", weight=3, styles=("clinic", "soap"), age=(50, 88), sex=None,
        comorb=True, no=("htn",),
        variants=[V(["I50.22"], ["Chronic systolic heart failure (HFrEF), compensated.",
                                 "HFrEF coded as chronic systolic heart failure."])],
        vars=lambda r: {"ef": num(r, 25, 38), "wt": num(r, 68, 104), "bnp": num(r, 180, 420)},
        hpi=[("V", "follow-up of chronic systolic heart failure, EF {ef}%, stable weight"),
             ("V", "a heart failure visit with NYHA class II symptoms and no orthopnea"),
             ("V", "review of chronic HFrEF, adherent to fluid restriction")],
        obj=["Weight stable at {wt} kg, no JVD, trace ankle edema", "L|BNP {bnp}, creatinine "
             "stable", "Lungs clear, no S3, euvolemic"],
        dx=["chronic systolic heart failure", "chronic systolic (congestive) heart failure, "
            "compensated", "chronic HFrEF"],
        plan=["Continue sacubitril-valsartan, carvedilol, and spironolactone",
              "Uptitrate carvedilol, daily weights",
              "Continue GDMT; cardiology follow-up in 3 months"],
    ),
    dict(
        key="hhf", weight=3, styles=("dc", "ed"), age=(60, 90), sex=None,
        comorb=True, no=("htn",),
        variants=[V(["I11.0", "I50.23"],
                    ["Hypertension with heart failure is presumed linked (I11.0); acute on "
                     "chronic systolic HF coded additionally.",
                     "Hypertensive heart disease with heart failure plus acute on chronic "
                     "systolic heart failure."])],
        vars=lambda r: {"lbs": num(r, 4, 11), "d": pick(r, "a week", "5 days", "10 days"),
                        "ef": num(r, 20, 35), "bnpH": num(r, 900, 2900), "liters": num(r, 3, 7)},
        cc=["SOB and leg swelling", "worsening dyspnea, orthopnea"],
        hpi=[("P", "worsening dyspnea, orthopnea, and a {lbs} lb weight gain over {d}, with "
                   "hypertension and chronic systolic heart failure"),
             ("P", "leg swelling and PND with known hypertensive heart disease and chronic "
                   "systolic HF"),
             ("P", "3-pillow orthopnea and edema on a background of hypertension and HFrEF, EF "
                   "{ef}%")],
        obj=["JVD, bibasilar crackles, 2+ pitting edema; BNP {bnpH}",
             "CXR with pulmonary vascular congestion, BNP {bnpH}",
             "Bilateral crackles, troponin flat, BNP {bnpH}"],
        dx=["acute on chronic systolic heart failure due to hypertensive heart disease",
            "acute on chronic HFrEF; hypertensive heart disease",
            "acute on chronic systolic congestive heart failure with hypertension"],
        plan=["IV furosemide with strict intake and output and daily weights",
              "Diuresed with IV furosemide, admitted to telemetry",
              "IV diuresis started, beta-blocker continued"],
        course=["Diuresed {liters} L with IV furosemide and returned to dry weight",
                "Responded to IV diuresis; GDMT resumed before discharge"],
        dcplan=["Discharged on oral furosemide with a 2 g sodium diet",
                "Heart failure clinic visit within 7 days"],
        vit=dict(sbp=(146, 176), dbp=(84, 100), rr=(20, 26), spo2=(88, 93)),
    ),
    dict(
        key="ida", weight=3, styles=("clinic", "tele"), age=(18, 78), sex=None,
        comorb=True, no=(),
        variants=[V(["D50.9"], ["Iron deficiency anemia, cause not documented.",
                                "Iron deficiency anemia, unspecified."])],
        vars=lambda r: {"d": pick(r, "2 months", "several weeks", "3 months"),
                        "hgb": dec(r, 8.6, 11.2), "mcv": num(r, 68, 78), "fer": num(r, 4, 14)},
        hpi=[("P", "fatigue for {d}, here to review labs"),
             ("V", "follow-up of iron deficiency anemia on ferrous sulfate"),
             ("V", "review of recent labs drawn for tiredness")],
        obj=["L|Hemoglobin {hgb} g/dL, MCV {mcv}, ferritin {fer} ng/mL",
             "L|Hgb {hgb} with ferritin {fer}; stool guaiac negative",
             "Conjunctival pallor; CBC with microcytic anemia, Hgb {hgb}"],
        dx=["iron deficiency anemia", "iron-deficiency anemia"],
        plan=["Ferrous sulfate 325 mg every other day, recheck CBC in 8 weeks",
              "IV iron infusion arranged, GI referral for evaluation",
              "Continue oral iron with vitamin C"],
    ),
    dict(
        key="knee_oa", weight=4, styles=("clinic", "soap"), age=(50, 86), sex=None,
        comorb=True, no=("dm",),   # avoid the diabetes "with arthropathy" presumption
        variants=[V(["M17.11"], ["Unilateral primary osteoarthritis of the right knee.",
                                 "Primary OA, right knee only."], side="right"),
                  V(["M17.12"], ["Unilateral primary osteoarthritis of the left knee.",
                                 "Primary OA, left knee only."], side="left")],
        vars=lambda r: {},
        hpi=[("P", "chronic {side} knee pain, worse with stairs and prolonged standing"),
             ("P", "{side} knee stiffness in the morning and pain with walking"),
             ("V", "follow-up of {side} knee osteoarthritis, acetaminophen no longer enough")],
        obj=["{Side} knee crepitus, small effusion, no instability",
             "L|X-ray with medial joint space narrowing and osteophytes in the {side} knee",
             "Reduced flexion of the {side} knee with bony enlargement"],
        dx=["primary osteoarthritis of the {side} knee", "{side} knee osteoarthritis",
            "unilateral primary OA of the {side} knee"],
        plan=["Topical diclofenac, quadriceps strengthening, and weight management",
              "Corticosteroid injection into the {side} knee today",
              "PT referral, orthopedic evaluation if refractory"],
    ),
    dict(
        key="stone", weight=4, styles=("ed",), age=(24, 70), sex=None,
        comorb=True, no=(),
        variants=[V(["N20.0"], ["Kidney stone (renal calculus); pain and hematuria are "
                                "integral.", "Calculus of kidney documented on imaging."])],
        vars=lambda r: {"ks": pick(r, "right", "left"), "mm": num(r, 3, 7)},
        cc=["{ks} flank pain", "severe flank pain with nausea"],
        hpi=[("P", "sudden severe {ks} flank pain radiating to the groin with nausea"),
             ("P", "colicky {ks} flank pain since {when} with blood in the urine"),
             ("P", "intermittent sharp {ks} flank pain for {hrs} hours")],
        obj=["CT with a {mm} mm {ks} renal calculus without hydronephrosis",
             "UA with RBCs and no infection; CT with a {mm} mm nonobstructing {ks} kidney stone",
             "{Ks} CVA tenderness; renal ultrasound shows a {mm} mm renal stone"],
        dx=["nephrolithiasis", "{ks} renal calculus", "kidney stone"],
        plan=["Ketorolac and oral hydration; strain urine",
              "Urology follow-up, analgesics and return precautions",
              "Pain controlled, discharged with ondansetron"],
    ),
    dict(
        key="chole", weight=3, styles=("ed", "clinic"), age=(28, 70), sex="F",
        comorb=True, no=(),
        variants=[V(["K80.20"], ["Gallstones without cholecystitis or obstruction.",
                                 "Cholelithiasis without cholecystitis, no obstruction."])],
        vars=lambda r: {"d": pick(r, "a month", "6 weeks", "several months")},
        hpi=[("P", "postprandial right upper quadrant pain after fatty meals, episodes lasting "
                   "1-2 hours"),
             ("P", "recurrent RUQ pain radiating to the right shoulder after dinner"),
             ("P", "episodic upper abdominal pain after meals for {d}")],
        obj=["Ultrasound with multiple gallstones, no wall thickening or pericholecystic fluid; "
             "LFTs normal", "Negative Murphy sign, WBC normal, gallstones on ultrasound",
             "L|RUQ ultrasound with cholelithiasis and a nondilated CBD"],
        dx=["symptomatic cholelithiasis without cholecystitis",
            "gallstones without cholecystitis or obstruction", "cholelithiasis"],
        plan=["Low-fat diet and surgical referral for elective cholecystectomy",
              "Pain controlled, outpatient general surgery follow-up",
              "Return precautions for fever, jaundice, or persistent pain"],
    ),
    dict(
        key="zoster", weight=3, styles=("uc", "clinic", "tele"), age=(50, 86), sex=None,
        comorb=True, no=(),
        variants=[V(["B02.9"], ["Herpes zoster without complications.",
                                "Shingles, uncomplicated (no eye or nerve involvement)."])],
        vars=lambda r: {"zs": pick(r, "right", "left"), "d": pick(r, "2 days", "3 days"),
                        "tlev": num(r, 4, 10)},
        hpi=[("P", "a painful vesicular rash on the {zs} flank for {d}"),
             ("P", "burning pain followed by a band-like blistering rash across the {zs} chest"),
             ("P", "tingling and then clustered blisters on the {zs} lower back")],
        obj=["Grouped vesicles on an erythematous base in a dermatomal distribution, eyes spared",
             "Dermatomal vesicular eruption at T{tlev} not crossing midline",
             "Clustered vesicles on the {zs} torso, face spared"],
        dx=["herpes zoster", "shingles without complications", "herpes zoster, uncomplicated"],
        plan=["Valacyclovir 1 g three times daily for 7 days",
              "Valacyclovir and acetaminophen, shingles vaccine after recovery",
              "Antiviral started within 72 hours of rash onset"],
    ),
    dict(
        key="urticaria", weight=3, styles=("uc", "ed", "tele"), age=(5, 60), sex=None,
        comorb=False, no=(),
        variants=[V(["L50.9"], ["Urticaria without an identified cause.",
                                "Urticaria, unspecified; no trigger documented."])],
        vars=lambda r: {"d": pick(r, "3 days", "a week", "5 days")},
        hpi=[("P", "itchy raised welts on the trunk and arms since {when}, no new foods or "
                   "medications"),
             ("P", "recurrent hives for {d} with no clear trigger"),
             ("P", "sudden itchy wheals without lip swelling or trouble breathing")],
        obj=["Blanching urticarial plaques on the torso, no angioedema, lungs clear",
             "Scattered wheals, oropharynx clear", "Urticarial rash on the extremities"],
        dx=["urticaria", "hives, trigger unknown", "urticaria, unspecified"],
        plan=["Cetirizine 10 mg daily for 2 weeks",
              "Diphenhydramine given, discharged on cetirizine",
              "Avoid NSAIDs; allergy follow-up if recurrent"],
    ),
    dict(
        key="scalp", weight=3, styles=("ed", "uc"), age=(3, 80), sex=None,
        comorb=False, no=(),
        variants=[V(["S01.01XA"], ["Scalp laceration without foreign body, initial encounter.",
                                   "Initial encounter for a simple scalp laceration."])],
        vars=lambda r: {"cm": num(r, 2, 6), "staples": num(r, 3, 7)},
        cc=["scalp laceration", "head injury with bleeding"],
        hpi=[("P", "a cut to the scalp after striking a cabinet door, no LOC"),
             ("P", "a scalp laceration after a fall from a bicycle, no LOC"),
             ("P", "a bleeding scalp wound after hitting a low beam, no headache or vomiting")],
        obj=["{cm} cm linear scalp laceration, hemostatic, no foreign body, neuro intact",
             "Clean {cm} cm scalp wound without step-off", "{cm} cm occipital scalp laceration, "
             "GCS 15"],
        dx=["scalp laceration", "simple scalp laceration without foreign body",
            "laceration of the scalp, initial encounter"],
        plan=["Repaired with {staples} staples, removal in 7-10 days",
              "Irrigated and closed with the hair apposition technique",
              "Staple repair with head injury precautions"],
    ),
    dict(
        key="hand_lac", weight=3, styles=("ed", "uc"), age=(16, 70), sex=None,
        comorb=False, no=(),
        variants=[V(["S61.411A"], ["Right hand laceration without foreign body, initial "
                                   "encounter.", "Initial encounter, right hand laceration."],
                    side="right"),
                  V(["S61.412A"], ["Left hand laceration without foreign body, initial "
                                   "encounter.", "Initial encounter, left hand laceration."],
                    side="left")],
        vars=lambda r: {"cm": num(r, 2, 5), "sut": num(r, 3, 7),
                        "act2": pick(r, "slicing bagels", "cutting vegetables", "opening a package")},
        cc=["{side} hand laceration", "cut to the {side} hand"],
        hpi=[("P", "a cut to the {side} hand from a kitchen knife while {act2}"),
             ("P", "a laceration to the {side} palm from broken glass"),
             ("P", "a {side} hand laceration from a box cutter at work")],
        obj=["{cm} cm laceration of the {side} palm, tendons intact, no foreign body",
             "{Side} hand wound {cm} cm, full flexion and extension of all digits",
             "X-ray negative for retained glass; {cm} cm {side} hand laceration"],
        dx=["laceration of the {side} hand without foreign body", "{side} hand laceration",
            "simple laceration of the {side} hand"],
        plan=["Closed with {sut} simple interrupted sutures, tetanus up to date",
              "Repaired with 4-0 nylon, suture removal in 10 days",
              "Irrigated and sutured, wound care reviewed"],
    ),
    dict(
        key="radius_fx", weight=3, styles=("ed", "uc"), age=(8, 86), sex=None,
        comorb=False, no=(),
        variants=[V(["S52.501A"], ["Closed fracture of the right distal radius, type "
                                   "unspecified, initial encounter.",
                                   "Initial encounter, closed right distal radius fracture."],
                    side="right"),
                  V(["S52.502A"], ["Closed fracture of the left distal radius, type "
                                   "unspecified, initial encounter.",
                                   "Initial encounter, closed left distal radius fracture."],
                    side="left")],
        vars=lambda r: {},
        cc=["{side} wrist pain after a fall", "{side} wrist injury"],
        hpi=[("P", "{side} wrist pain and swelling after a fall on an outstretched hand {when}"),
             ("P", "{side} wrist pain after slipping on ice"),
             ("P", "a FOOSH injury to the {side} wrist while skating")],
        obj=["X-ray with a closed distal radius fracture on the {side}, neurovascularly intact",
             "{Side} wrist deformity; radiographs confirm a closed distal radius fracture",
             "Closed {side} distal radius fracture on X-ray, skin intact"],
        dx=["closed fracture of the {side} distal radius", "{side} distal radius fracture, "
            "initial encounter", "closed {side} distal radius fracture"],
        plan=["Sugar-tong splint, orthopedics follow-up in 1 week",
              "Closed reduction performed and splinted",
              "Splint, sling, ice, and elevation"],
    ),
    dict(
        key="covid", weight=4, styles=("uc", "tele", "ed"), age=(18, 82), sex=None,
        comorb=True, no=(),
        variants=[V(["U07.1"], ["Confirmed COVID-19; symptoms are integral.",
                                "COVID-19 confirmed by testing."])],
        vars=lambda r: {"d": pick(r, "2 days", "3 days", "4 days"), },
        hpi=[("P", "fever, cough, and myalgias for {d} with a positive home antigen test"),
             ("P", "{d} of sore throat, congestion, and loss of taste"),
             ("P", "cough and fatigue since {when} after a household COVID-19 exposure")],
        obj=["L|SARS-CoV-2 PCR positive", "COVID-19 PCR positive, lungs clear, SpO2 {spo2}%",
             "Rapid COVID antigen positive in clinic, chest clear"],
        dx=["COVID-19", "COVID-19 infection, mild", "mild COVID-19 without pneumonia"],
        plan=["Isolation guidance, supportive care, and return precautions for dyspnea",
              "Nirmatrelvir-ritonavir after an interaction review",
              "Supportive treatment, pulse oximeter at home"],
    ),
    dict(
        key="bronchitis", weight=4, styles=("uc", "clinic", "tele"), age=(18, 75), sex=None,
        comorb=True, no=(),
        variants=[V(["J20.9"], ["Acute bronchitis, organism unspecified.",
                                "Acute bronchitis without a documented cause."])],
        vars=lambda r: {"d": pick(r, "10 days", "a week", "2 weeks"), },
        hpi=[("P", "cough for {d}, initially dry and now productive, no fever"),
             ("P", "a persistent cough with chest soreness for {d}"),
             ("P", "a hacking cough for {d} with mild wheeze at night")],
        obj=["Scattered rhonchi that clear with cough", "Afebrile, SpO2 {spo2}%, no focal "
             "findings", "Few rhonchi, otherwise clear; vitals normal"],
        dx=["acute bronchitis", "acute bronchitis, uncomplicated"],
        plan=["Supportive care and benzonatate, no antibiotics indicated",
              "Honey and humidifier, return if fever or dyspnea",
              "Albuterol as needed for wheeze"],
    ),
    dict(
        key="sinusitis", weight=3, styles=("uc", "tele", "clinic"), age=(18, 75), sex=None,
        comorb=True, no=(),
        variants=[V(["J01.90"], ["Acute sinusitis, sinus not specified.",
                                 "Acute sinusitis, unspecified."])],
        vars=lambda r: {"d": pick(r, "10 days", "12 days", "2 weeks")},
        hpi=[("P", "facial pressure and purulent nasal discharge for {d}"),
             ("P", "{d} of congestion with facial pain that worsened after initial improvement"),
             ("P", "sinus pressure, post-nasal drip, and headache for {d}")],
        obj=["Sinus tenderness to percussion, purulent drainage in the nares",
             "Afebrile, sinus tenderness, TMs clear", "Purulent post-nasal drainage"],
        dx=["acute sinusitis", "acute rhinosinusitis"],
        plan=["Amoxicillin-clavulanate for 7 days and saline irrigation",
              "Nasal steroid and saline rinses, antibiotics if no better in 3 days",
              "Decongestant and follow-up if symptoms persist"],
    ),
    dict(
        key="cerumen", weight=3, styles=("clinic", "uc"), age=(30, 90), sex=None,
        comorb=True, no=(),
        variants=[V(["H61.21"], ["Impacted cerumen, right ear.", "Right ear cerumen impaction."],
                    ear="the right ear", earx="right ear"),
                  V(["H61.22"], ["Impacted cerumen, left ear.", "Left ear cerumen impaction."],
                    ear="the left ear", earx="left ear"),
                  V(["H61.23"], ["Impacted cerumen, bilateral.", "Bilateral cerumen impaction."],
                    ear="both ears", earx="bilateral")],
        vars=lambda r: {"d": pick(r, "a week", "2 weeks", "several days")},
        hpi=[("P", "muffled hearing in {ear} for {d}"),
             ("P", "fullness and decreased hearing in {ear}"),
             ("P", "a plugged sensation in {ear} after using cotton swabs")],
        obj=["Cerumen fully occluding the canal in {ear}",
             "Otoscopy: impacted wax in {ear}, TM not visible",
             "Hard cerumen obstructing {ear}"],
        dx=["impacted cerumen, {earx}", "cerumen impaction of {ear}"],
        plan=["Cerumen removed by irrigation with improved hearing",
              "Curette removal of wax, TM intact afterward",
              "Carbamide peroxide drops for 4 days, then irrigation"],
    ),
    dict(
        key="bph", weight=3, styles=("clinic", "tele"), age=(55, 86), sex="M",
        comorb=True, no=(),
        variants=[V(["N40.1"], ["BPH with lower urinary tract symptoms.",
                                "Benign prostatic hyperplasia with LUTS."])],
        vars=lambda r: {"d": pick(r, "6 months", "a year", "several months"),
                        "ipss": num(r, 12, 22), "psa": dec(r, 1.2, 3.6), "pvr": num(r, 40, 140)},
        hpi=[("P", "bothersome lower urinary tract symptoms for {d}, IPSS {ipss}"),
             ("V", "follow-up of an enlarged prostate with urinary symptoms, on tamsulosin"),
             ("P", "urinary symptoms over {d} attributed to an enlarged prostate")],
        obj=["DRE with a smooth, symmetrically enlarged prostate and no nodules; PSA {psa}",
             "L|Post-void residual {pvr} mL, urinalysis negative",
             "L|PSA {psa} ng/mL"],
        dx=["BPH with lower urinary tract symptoms", "benign prostatic hyperplasia with LUTS",
            "enlarged prostate with LUTS"],
        plan=["Start tamsulosin 0.4 mg nightly", "Add finasteride, recheck in 3 months",
              "Continue tamsulosin, limit evening fluids"],
    ),
    dict(
        key="chestpain", weight=4, styles=("ed",), age=(25, 76), sex=None,
        comorb=True, no=(),
        variants=[V(["R07.9"], ["Chest pain without a definitive cause; ACS ruled out.",
                                "Symptom code for chest pain, etiology not established."])],
        vars=lambda r: {"heart": num(r, 1, 3)},
        cc=["chest pain", "intermittent chest pain"],
        hpi=[("P", "{hrs} hours of intermittent left-sided chest pain at rest, nonexertional"),
             ("P", "chest pain that began while watching television and resolved on its own"),
             ("P", "sharp chest pain since {when}, not positional, no dyspnea")],
        obj=["ECG normal sinus rhythm without ischemic changes, troponin negative x2",
             "Serial troponins negative, CXR normal, D-dimer negative",
             "HEART score {heart}, ECG unchanged from prior"],
        dx=["chest pain, unspecified", "chest pain, etiology unclear, ACS ruled out",
            "nonspecific chest pain"],
        plan=["Discharged with outpatient stress test and return precautions",
              "Observation with a stress test in the morning",
              "PCP follow-up in 2-3 days"],
    ),
    dict(
        key="dizzy", weight=3, styles=("ed", "uc", "clinic"), age=(30, 88), sex=None,
        comorb=True, no=(),
        variants=[V(["R42"], ["Dizziness without an established cause.",
                              "Symptom code for dizziness; no vertigo or syncope."])],
        vars=lambda r: {"d": pick(r, "2 days", "a week", "3 days")},
        hpi=[("P", "lightheadedness on standing for {d}, no syncope"),
             ("P", "intermittent dizziness for {d} without chest pain or focal weakness"),
             ("P", "feeling unsteady and woozy since {when}")],
        obj=["Orthostatic vitals negative, neuro exam normal, ECG sinus rhythm",
             "Dix-Hallpike negative, gait steady",
             "Normal glucose and hemoglobin, neuro exam nonfocal"],
        dx=["dizziness", "dizziness, unclear etiology", "lightheadedness"],
        plan=["Hydration and slow position changes, PCP follow-up",
              "Return precautions for syncope or neuro deficits",
              "Outpatient Holter monitor ordered"],
    ),
    dict(
        key="fever", weight=3, styles=("ed", "uc"), age=(1, 6), sex=None,
        comorb=False, no=(),
        variants=[V(["R50.9"], ["Fever with no source identified.",
                                "Fever, unspecified; no underlying cause documented."])],
        vars=lambda r: {"d": pick(r, "a day", "2 days"), "tmaxF": dec(r, 101.2, 103.8)},
        cc=["fever", "fever, decreased appetite"],
        hpi=[("P", "fever to {tmaxF} F for {d}, drinking well, no rash"),
             ("P", "fever since {when} with mild fussiness, no cough or vomiting"),
             ("P", "intermittent fever for {d} that responds to acetaminophen")],
        obj=["Well-appearing, TMs and throat normal, lungs clear; UA negative",
             "No focal source on exam, capillary refill under 2 seconds",
             "Nontoxic, moist mucous membranes; flu and COVID swabs negative"],
        dx=["fever without source", "fever, unspecified", "fever of unclear origin"],
        plan=["Antipyretics, fluids, and return precautions",
              "Pediatrician follow-up in 48 hours if fever persists",
              "Parent taught weight-based acetaminophen and ibuprofen dosing"],
        vit=dict(t=(38.3, 39.6)),
    ),
    dict(
        key="insomnia", weight=3, styles=("clinic", "tele"), age=(25, 76), sex=None,
        comorb=True, no=(),
        variants=[V(["G47.00"], ["Insomnia, type not specified.", "Insomnia, unspecified."])],
        vars=lambda r: {"d": pick(r, "3 months", "several months", "6 weeks"),
                        "isi": num(r, 12, 21)},
        hpi=[("P", "difficulty falling and staying asleep for {d}"),
             ("P", "poor sleep, waking at 3 AM most nights for {d}"),
             ("P", "ongoing insomnia despite cutting out caffeine")],
        obj=["L|Sleep diary reviewed, STOP-BANG low risk", "Insomnia Severity Index {isi}, mood "
             "screen negative", "L|No snoring reported, PHQ-2 negative"],
        dx=["insomnia", "insomnia, unspecified"],
        plan=["CBT-I referral and sleep hygiene counseling", "Trial of low-dose melatonin",
              "Screen-free hour before bed, follow up in {fu}"],
    ),
    dict(
        key="constip", weight=3, styles=("clinic", "uc", "tele"), age=(3, 86), sex=None,
        comorb=False, no=(),
        variants=[V(["K59.00"], ["Constipation, type not specified.",
                                 "Constipation, unspecified."])],
        vars=lambda r: {"d": pick(r, "3 weeks", "a month", "2 weeks")},
        hpi=[("P", "infrequent hard stools with straining for {d}"),
             ("P", "bowel movements only every 4-5 days for {d}"),
             ("P", "hard, painful stools since a change in diet")],
        obj=["Abdomen soft and nondistended, stool palpable in the left lower quadrant",
             "Normal bowel sounds, no tenderness", "Benign abdominal exam"],
        dx=["constipation", "constipation, unspecified"],
        plan=["Polyethylene glycol daily and increased fiber",
              "Fluids, fiber, and a toileting routine",
              "Senna as needed, follow up in {fu}"],
    ),
    dict(
        key="nicotine", weight=3, styles=("clinic", "tele"), age=(20, 70), sex=None,
        comorb=True, no=("smoker",),
        variants=[V(["F17.210"], ["Nicotine dependence, cigarettes, uncomplicated.",
                                  "Cigarette dependence without withdrawal or other "
                                  "complications."])],
        vars=lambda r: {"ppd": pick(r, "a pack", "half a pack", "a pack and a half"),
                        "yrs": num(r, 8, 35), "n": pick(r, "two", "three", "several"),
                        "fag": num(r, 5, 9)},
        hpi=[("V", "help quitting; smokes {ppd} of cigarettes daily"),
             ("V", "a smoking cessation visit after a {yrs}-year cigarette habit"),
             ("P", "interest in quitting cigarettes after {n} prior attempts")],
        obj=["Exhaled CO elevated, lungs clear", "L|Fagerstrom score {fag}",
             "BP {sbp}/{dbp}, lungs clear without wheeze"],
        dx=["nicotine dependence, cigarettes", "tobacco use disorder, cigarettes",
            "cigarette dependence"],
        plan=["Start varenicline with a quit date in 1 week",
              "Nicotine patch 21 mg plus gum for cravings",
              "Quitline referral, follow up in 4 weeks"],
    ),
    dict(
        key="osa", weight=3, styles=("clinic", "tele"), age=(35, 80), sex=None,
        comorb=True, no=("osa",),
        variants=[V(["G47.33"], ["Obstructive sleep apnea.", "OSA documented (adult)."])],
        vars=lambda r: {"ahi": num(r, 16, 38), "ess": num(r, 11, 17), "use": num(r, 62, 94),
                        "rahi": dec(r, 1.2, 4.8)},
        hpi=[("P", "loud snoring, witnessed apneas, and daytime sleepiness, here for sleep "
                   "study results"),
             ("V", "CPAP follow-up for obstructive sleep apnea"),
             ("V", "an OSA check with mask leak problems")],
        obj=["L|AHI {ahi} on home sleep test, Epworth {ess}",
             "L|CPAP download with {use}% usage and residual AHI {rahi}",
             "Crowded oropharynx, Epworth {ess}"],
        dx=["obstructive sleep apnea", "OSA, on CPAP", "moderate obstructive sleep apnea"],
        plan=["Auto-CPAP ordered", "Mask refit, continue nightly CPAP",
              "Weight loss counseling, follow up in {fu}"],
    ),
    dict(
        key="vitd", weight=2, styles=("clinic", "tele"), age=(25, 85), sex=None,
        comorb=True, no=(),
        variants=[V(["E55.9"], ["Vitamin D deficiency, unspecified.",
                                "Low 25-OH vitamin D documented as deficiency."])],
        vars=lambda r: {"vd": num(r, 9, 19)},
        hpi=[("V", "follow-up of low vitamin D found on routine labs"),
             ("P", "fatigue and diffuse aches, here to review labs"),
             ("V", "a vitamin D recheck after 8 weeks of supplementation")],
        obj=["L|25-OH vitamin D {vd} ng/mL, calcium normal", "L|Vitamin D level {vd} ng/mL",
             "Exam unremarkable; 25-OH D {vd}"],
        dx=["vitamin D deficiency", "vitamin D deficiency, unspecified"],
        plan=["Cholecalciferol 2000 IU daily", "Ergocalciferol 50,000 IU weekly for 8 weeks",
              "Recheck level in 3 months"],
    ),
    dict(
        key="gastro", weight=4, styles=("ed", "uc"), age=(2, 80), sex=None,
        comorb=False, no=(),
        variants=[
            V(["A08.4"], ["Viral gastroenteritis (viral intestinal infection, unspecified).",
                          "Viral intestinal infection, organism unspecified."],
              hyd="mucous membranes moist", gdx="viral gastroenteritis",
              gplan="Oral rehydration trial tolerated, ondansetron as needed"),
            V(["A08.4", "E86.0"], ["Viral gastroenteritis with documented dehydration.",
                                   "Viral intestinal infection plus dehydration."],
              hyd="dry mucous membranes and delayed capillary refill",
              gdx="viral gastroenteritis with dehydration",
              gplan="IV fluid bolus and ondansetron, tolerating fluids after"),
        ],
        vars=lambda r: {"d": pick(r, "2 days", "a day", "3 days")},
        cc=["vomiting and diarrhea", "N/V/D for {d}"],
        hpi=[("P", "vomiting and watery diarrhea for {d} with sick contacts at daycare"),
             ("P", "nausea, vomiting, and loose stools since {when}, others at home ill"),
             ("P", "{d} of diarrhea and cramping without blood in the stool")],
        obj=["Abdomen soft and mildly diffusely tender, {hyd}", "{Hyd}; abdomen benign",
             "No peritoneal signs, {hyd}"],
        dx=["{gdx}"],
        plan=["{gplan}", "{gplan}; return precautions reviewed"],
    ),
    dict(
        key="imm", weight=3, styles=("clinic",), age=(19, 85), sex=None,
        comorb=False, no=(),
        variants=[V(["Z23"], ["Encounter solely for immunization.",
                              "Vaccine-only visit: encounter for immunization."])],
        vars=lambda r: {"vax": pick(r, "the seasonal influenza vaccine", "a Tdap booster",
                                    "the second dose of recombinant zoster vaccine",
                                    "pneumococcal conjugate vaccine", "an updated COVID-19 "
                                    "vaccine"),
                        "arm": pick(r, "left", "right")},
        hpi=[("V", "{vax}, no acute complaints"), ("V", "a nurse visit to receive {vax}"),
             ("V", "{vax} only")],
        obj=["Afebrile, no contraindications on screening", "Screening questions negative",
             "Well-appearing, no prior vaccine reactions"],
        dx=["encounter for immunization", "vaccine administration"],
        plan=["Administered in the {arm} deltoid, observed 15 minutes without reaction",
              "Given in the {arm} deltoid, VIS provided",
              "{Arm} deltoid injection tolerated well"],
    ),
]

COMORBIDITIES = [
    dict(key="htn", code="I10", desc="essential hypertension",
         long=["hypertension on lisinopril", "hypertension controlled with amlodipine",
               "hypertension on losartan"], short=["HTN"]),
    dict(key="hld", code="E78.5", desc="hyperlipidemia",
         long=["hyperlipidemia on atorvastatin", "hyperlipidemia treated with rosuvastatin"],
         short=["HLD"]),
    dict(key="dm", code="E11.9", desc="type 2 diabetes without complications",
         long=["diet-controlled type 2 diabetes"], short=["diet-controlled T2DM"]),
    dict(key="hypothyroid", code="E03.9", desc="hypothyroidism",
         long=["hypothyroidism on levothyroxine"], short=["hypothyroidism"]),
    dict(key="gerd", code="K21.9", desc="GERD without esophagitis",
         long=["GERD on omeprazole"], short=["GERD"]),
    dict(key="osa", code="G47.33", desc="obstructive sleep apnea",
         long=["obstructive sleep apnea on CPAP"], short=["OSA on CPAP"]),
    dict(key="cad", code="I25.10", desc="coronary artery disease without angina",
         long=["coronary artery disease without angina"], short=["CAD, no angina"]),
    dict(key="smoker", code="F17.210", desc="nicotine dependence, cigarettes",
         long=["current cigarette smoking, about a pack a day"], short=["active smoker"]),
    dict(key="asthma", code="J45.909", desc="uncomplicated asthma",
         long=["asthma using albuterol as needed"], short=["asthma"]),
    dict(key="depr", code="F32.A", desc="depression",
         long=["depression on sertraline"], short=["depression"]),
]
CO_BY_KEY = {c["key"]: c for c in COMORBIDITIES}


# --------------------------------------------------------------------------- patients, vitals
def patient(r: random.Random, cond: dict) -> dict:
    lo, hi = cond["age"]
    age = r.randint(lo, hi)
    sex = cond["sex"]
    if sex is None:
        sex = pick(r, "M", "F")
    elif sex == "F" and cond["key"] in ("uti", "migraine", "hypothyroid", "chole"):
        sex = "F" if r.random() < 0.8 else "M"
    child = age < 13
    teen = 13 <= age < 18
    if sex == "M":
        words = ["boy"] if child else ["male"] if teen else ["man", "male"]
        pron = {"he": "he", "his": "his", "him": "him"}
    else:
        words = ["girl"] if child else ["female"] if teen else ["woman", "female"]
        pron = {"he": "she", "his": "her", "him": "her"}
    noun = pick(r, *words)
    art = "an" if (str(age).startswith("8") or age in (11, 18)) else "a"
    longd = pick(r, f"{art} {age}-year-old {noun}", f"{age}-year-old {noun}",
                 f"patient is {art} {age}-year-old {noun}")
    if child:
        shortd = pick(r, f"{age}yo {noun}", f"{age} y/o {noun}", f"{age}-year-old {noun}")
    else:
        shortd = pick(r, f"{age}{sex}", f"{age} y/o {sex}", f"{age}yo {'M' if sex == 'M' else 'F'}",
                      f"{age} yo {noun}")
    return {"age": age, "sex": sex, "child": child, "long": longd, "short": shortd, **pron}


def vitals(r: random.Random, cond: dict, pt: dict) -> dict:
    prof = dict(t=(36.4, 37.3), hr=(60, 94), sbp=(108, 138), dbp=(64, 86), rr=(12, 18),
                spo2=(95, 99))
    if pt["child"]:
        prof.update(hr=(88, 132), rr=(18, 30))
    prof.update(cond.get("vit", {}))
    t = round(r.uniform(*prof["t"]), 1)
    return {"t": f"{t:.1f}", "tF": f"{t * 9 / 5 + 32:.1f}", "hr": num(r, *prof["hr"]),
            "sbp": num(r, *prof["sbp"]), "dbp": num(r, *prof["dbp"]), "rr": num(r, *prof["rr"]),
            "spo2": num(r, *prof["spo2"]), "child": pt["child"]}


def vitals_text(r: random.Random, vs: dict) -> str:
    bp = "" if vs["child"] else f", BP {vs['sbp']}/{vs['dbp']}"
    fmt = r.randrange(5)
    if fmt == 0:
        return f"VS: T {vs['t']} C, HR {vs['hr']}{bp}, RR {vs['rr']}, SpO2 {vs['spo2']}% RA"
    if fmt == 1:
        return (f"Vitals: temp {vs['tF']} F, pulse {vs['hr']}{bp}, resp {vs['rr']}, "
                f"O2 sat {vs['spo2']}% on room air")
    if fmt == 2:
        return f"T {vs['t']}, P {vs['hr']}{bp}, R {vs['rr']}, sat {vs['spo2']}%"
    if fmt == 3:
        return f"Temp {vs['tF']}F, HR {vs['hr']}{bp}, SpO2 {vs['spo2']}%"
    bp = bp.replace(",", "")
    return f"Triage vitals T {vs['t']} HR {vs['hr']}{bp} RR {vs['rr']} SpO2 {vs['spo2']}%"


# --------------------------------------------------------------------------- note styles
def hpi_clause(r: random.Random, cond: dict, v: dict, desc: str) -> str:
    kind, text = r.choice(cond["hpi"])
    text = fill(text, v)
    formal = desc.lower().startswith("patient is")
    if kind == "P":
        conn = (pick(r, "presenting with", "complaining of", "with", "reporting")
                if formal else
                pick(r, "presenting with", "complaining of", "with", "reporting", "presents with"))
    else:
        conn = (pick(r, "seen for", "here for", "seen today for")
                if formal else pick(r, "seen for", "here for", "presents for", "seen today for"))
    return f"{desc} {conn} {text}"


def obj_sentence(r: random.Random, cond: dict, v: dict,
                 labs_only: bool = False) -> tuple[str | None, bool]:
    opts = cond["obj"]
    if labs_only:
        opts = [o for o in opts if o.startswith("L|")]
        if not opts:
            return None, False
    o = r.choice(opts)
    return fill(o.removeprefix("L|"), v), o.startswith("L|")


def comorb_sentence(r: random.Random, cos: list[dict], terse: bool) -> str:
    if terse:
        return pick(r, "PMH: ", "Hx: ", "PMHx ") + ", ".join(r.choice(c["short"]) for c in cos)
    parts = [r.choice(c["long"]) for c in cos]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return pick(r, "History of ", "PMH includes ", "Comorbidities: ", "Also has ",
                "Past history notable for ") + joined


def dx_sentence(r: random.Random, dx: str, plan: str | None) -> str:
    lead = pick(r, "Assessment: ", "Impression: ", "Dx: ", "Diagnosis: ", "A/P: ")
    if plan and lead == "A/P: ":
        return f"{lead}{dx}; {lc_first(plan)}"
    return lead + dx


def lc_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[1:2].islower() else s


SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9{])")


def count_sentences(text: str) -> int:
    return len(SENT_SPLIT.split(text.strip()))


def sentence(s: str) -> str:
    s = s.strip()
    return s if s.endswith((".", "?", "!")) else s + "."


def build_note(r: random.Random, cond: dict, style: str, v: dict, pt: dict,
               cos: list[dict], max_sent: int = 5) -> str:
    """Compose a note from sections: intro, [comorbidities], [vitals], findings, assessment, [plan].

    Sections in brackets marked optional may be dropped; the comorbidity sentence is never
    dropped when comorbidities were chosen, because their codes are in the answer.
    """
    vs = vitals(r, cond, pt)
    if "hr_override" in v:
        vs["hr"] = v["hr_override"]
    v = {**v, **{k: vs[k] for k in ("t", "tF", "hr", "sbp", "dbp", "rr", "spo2")}}
    if "post" in cond:
        v.update(cond["post"](v))
    v = with_caps(v)
    dx = fill(r.choice(cond["dx"]), v)
    plan = fill(r.choice(cond["plan"]), v)
    desc_long = cap(pt["long"])
    co = ""
    opt_mid: list[str] = []       # optional, placed before the findings
    opt_tail: list[str] = []      # optional, placed after the assessment
    if style == "ed":
        if cond.get("cc") and r.random() < 0.5:
            intro = (pick(r, "ED triage: ", "ED note: ", "Emergency department: ") + pt["short"]
                     + pick(r, " c/o ", " with ", " complaining of ") + fill(r.choice(cond["cc"]), v))
        else:
            intro = pick(r, "ED note: ", "Emergency department visit: ", "ED provider note: ") + \
                hpi_clause(r, cond, v, desc_long)
        if cos:
            co = comorb_sentence(r, cos, terse=r.random() < 0.5)
        ob, _ = obj_sentence(r, cond, v)
        ds = dx_sentence(r, dx, plan)
        opt_mid.append(vitals_text(r, vs))
        if not ds.startswith("A/P"):
            opt_tail.append(plan)
        sections = [intro, co, "{MID}", ob, ds, "{TAIL}"]
    elif style == "uc":
        intro = pick(r, "Urgent care visit: ", "Walk-in clinic: ", "Urgent care note. ", "") + \
            hpi_clause(r, cond, v, desc_long if r.random() < 0.6 else pt["short"])
        if cos:
            co = comorb_sentence(r, cos, terse=r.random() < 0.5)
        ob, is_lab = obj_sentence(r, cond, v)
        lead = pick(r, "", "O: ") if is_lab else pick(r, "Exam: ", "On exam, ", "O: ", "")
        ob = lead + (lc_first(ob) if lead == "On exam, " else ob)
        ds = dx_sentence(r, dx, plan)
        opt_mid.append(vitals_text(r, vs))
        if not ds.startswith("A/P"):
            opt_tail.append(pick(r, "Plan: ", "P: ", "") + plan)
        sections = [intro, co, "{MID}", ob, ds, "{TAIL}"]
    elif style == "clinic":
        heads = (("Pediatric clinic: ", "Pediatrics visit. ", "Pediatric sick visit: ")
                 if pt["age"] < 18 else
                 ("Clinic follow-up: ", "Primary care visit. ", "Office visit: ", "Return visit: ",
                  "Internal medicine clinic. ", "Family medicine note: "))
        intro = r.choice(heads) + hpi_clause(r, cond, v, desc_long)
        if cos:
            co = comorb_sentence(r, cos, terse=False)
        ob, _ = obj_sentence(r, cond, v)
        ds = dx_sentence(r, dx, plan)
        if r.random() < 0.5:
            opt_mid.append(f"BP {vs['sbp']}/{vs['dbp']}, HR {vs['hr']}" if pt["age"] >= 12
                           else f"HR {vs['hr']}, temp {vs['t']} C")
        if not ds.startswith("A/P"):
            opt_tail.append(pick(r, "Plan: ", "", "Plan - ") + plan)
        sections = [intro, co, "{MID}", ob, ds, "{TAIL}"]
    elif style == "tele":
        intro = pick(r, "Telehealth video visit: ", "Telemedicine follow-up. ",
                     "Virtual visit: ", "Phone visit: ") + hpi_clause(r, cond, v, desc_long)
        if cos:
            co = comorb_sentence(r, cos, terse=False)
        ob, _ = obj_sentence(r, cond, v, labs_only=True)
        if ob is None:
            ob = pick(r, "Appears comfortable on video, speaking in full sentences",
                      "No distress on camera, normal speech and affect",
                      "Well-appearing on video; exam limited by modality")
        ds = dx_sentence(r, dx, plan)
        if not ds.startswith("A/P"):
            opt_tail.append(pick(r, "Plan: ", "", "Plan discussed: ") + plan)
        sections = [intro, co, ob, ds, "{TAIL}"]
    elif style == "soap":
        s_part = "S: " + hpi_clause(r, cond, v, pt["short"])
        if cos:
            s_part += "; " + comorb_sentence(r, cos, terse=True)
        ob, _ = obj_sentence(r, cond, v)
        sections = [s_part, "O: " + ob, "A: " + dx, "P: " + plan]
    elif style == "dc":
        _, text = r.choice([h for h in cond["hpi"] if h[0] == "P"])
        intro = pick(r, "Discharge summary: ", "Discharge summary excerpt: ",
                     "Hospital discharge note: ") + desc_long + \
            pick(r, " admitted with ", " admitted for ", " hospitalized with ") + fill(text, v)
        if cos:
            co = comorb_sentence(r, cos, terse=False)
        course = fill(r.choice(cond["course"]), v)
        dxs = pick(r, "Discharge diagnosis: ", "Principal diagnosis: ", "Final diagnosis: ") + dx
        ob, _ = obj_sentence(r, cond, v)
        opt_mid.append(ob)
        opt_tail.append(fill(r.choice(cond["dcplan"]), v))
        sections = [intro, co, "{MID}", course, dxs, "{TAIL}"]
    else:  # pragma: no cover
        raise ValueError(style)

    use_mid = r.random() < 0.55
    use_tail = r.random() < 0.6
    for mid_on, tail_on in ((use_mid, use_tail), (False, use_tail), (use_mid, False),
                            (False, False)):
        parts: list[str] = []
        for sec in sections:
            if sec == "{MID}":
                parts += opt_mid if mid_on else []
            elif sec == "{TAIL}":
                parts += opt_tail if tail_on else []
            elif sec:
                parts.append(sec)
        text = " ".join(sentence(cap(p)) for p in parts)
        if count_sentences(text) <= max_sent:
            return text
    return text


# --------------------------------------------------------------------------- examples
def make_answer(codes: list[str], why: str) -> str:
    return json.dumps({"codes": codes, "rationale": why})


def gen_example(r: random.Random, cond: dict, max_sent: int = 5) -> tuple[str, list[str], str]:
    variant = r.choice(cond["variants"])
    pt = patient(r, cond)
    v = {**common_vars(r), **cond["vars"](r), **variant["v"],
         "he": pt["he"], "his": pt["his"], "him": pt["him"]}
    v = with_caps(v)
    cos: list[dict] = []
    if cond["comorb"] and pt["age"] >= 35:
        k = r.choices([0, 1, 2], weights=[6, 4, 1])[0]
        own = {c[:3] for c in variant["codes"]}
        pool = [c for c in COMORBIDITIES
                if c["key"] not in cond["no"] and c["code"][:3] not in own]
        cos = r.sample(pool, k)
        cos.sort(key=lambda c: COMORBIDITIES.index(c))
    style = r.choice(cond["styles"])
    note = build_note(r, cond, style, v, pt, cos, max_sent=max_sent)
    codes = list(variant["codes"]) + [c["code"] for c in cos]
    why = r.choice(variant["why"])
    if cos:
        names = [f"{c['desc']} ({c['code']})" for c in cos]
        why += " Also documented: " + " and ".join(names) + "."
    return note, codes, why


# Near-duplicate guard for the clean notes: word 3-gram Jaccard with digits masked.
def shingles(text: str) -> frozenset:
    words = re.sub(r"\d+(\.\d+)?", "#", text.lower())
    words = re.findall(r"[a-z#/]+", words)
    return frozenset(tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2)))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


NEAR_DUP_LIMIT = 0.5


def generate_unique(r: random.Random, n: int) -> list[tuple[str, list[str], str]]:
    schedule: list[dict] = []
    for c in CONDITIONS:
        schedule += [c] * c["weight"]
    out: list[tuple[str, list[str], str]] = []
    sh: list[frozenset] = []
    norm_seen: set[str] = set()
    i = 0
    while len(out) < n:
        if i % len(schedule) == 0:
            r.shuffle(schedule)
        cond = schedule[i % len(schedule)]
        i += 1
        for _ in range(40):
            note, codes, why = gen_example(r, cond)
            norm = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", note.lower())).strip()
            s = shingles(note)
            if norm in norm_seen or any(jaccard(s, t) >= NEAR_DUP_LIMIT for t in sh):
                continue
            norm_seen.add(norm)
            sh.append(s)
            out.append((note, codes, why))
            break
    return out


def record(system: str | None, note: str, answer: str | None) -> dict:
    msgs = []
    if system is not None:
        msgs.append({"role": "system", "content": system})
    msgs.append({"role": "user", "content": note})
    if answer is not None:
        msgs.append({"role": "assistant", "content": answer})
    return {"messages": msgs}


def dumps(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False)


# Wrong-but-plausible codes used for the contradiction defect.
CONFUSABLE = {
    "J18.9": ("J20.9", "Acute bronchitis documented; no pneumonia."),
    "N39.0": ("N30.00", "Acute cystitis without hematuria."),
    "I10": ("I15.9", "Secondary hypertension."),
    "E11.9": ("E10.9", "Type 1 diabetes mellitus without complications."),
    "K21.9": ("K21.00", "GERD with esophagitis, without bleeding."),
    "M54.50": ("M54.16", "Radiculopathy, lumbar region."),
    "J06.9": ("J00", "Acute nasopharyngitis (common cold)."),
    "E78.5": ("E78.00", "Pure hypercholesterolemia, unspecified."),
}

# Final 1-based JSONL line number -> defect. Spread through the file.
TOTAL_LINES = 336
DEFECT_AT = {
    19: "pii_email_phone",
    44: ("exact_duplicate", 12),
    61: "placeholder",
    83: "malformed_json",
    102: "unknown_key",
    127: ("case_whitespace_duplicate", 58),
    149: "empty_assistant",
    171: "refusal",
    196: ("contradiction", 133),   # source = first clean line >= 133 with a confusable code
    214: "rare_system_prompt",
    238: "no_assistant",
    262: "pii_ssn_mrn",
    287: "whitespace_assistant",
    311: ("exact_duplicate", 229),
}


def build_jsonl(r: random.Random):
    fresh_needed = sum(1 for d in DEFECT_AT.values() if isinstance(d, str))
    clean_needed = TOTAL_LINES - len(DEFECT_AT)
    pool = generate_unique(r, clean_needed + fresh_needed)
    clean, fresh = pool[:clean_needed], pool[clean_needed:]

    lines: dict[int, str] = {}
    rows: dict[int, dict] = {}      # CSV view: line -> {"note":..., "coding":...}
    meta: dict[int, dict] = {}      # line -> info about the example on that line
    it = iter(clean)
    for ln in range(1, TOTAL_LINES + 1):
        if ln in DEFECT_AT:
            continue
        note, codes, why = next(it)
        ans = make_answer(codes, why)
        lines[ln] = dumps(record(SYSTEM, note, ans))
        rows[ln] = {"note": note, "coding": ans}
        meta[ln] = {"codes": codes}

    fresh_it = iter(fresh)
    defects: list[dict] = []
    for ln in sorted(DEFECT_AT):
        d = DEFECT_AT[ln]
        kind = d if isinstance(d, str) else d[0]
        info: dict = {"line": ln, "kind": kind}
        if kind == "exact_duplicate":
            src = d[1]
            assert src in meta, src
            lines[ln] = lines[src]
            rows[ln] = dict(rows[src], same_row_as=src)
            info["of"] = src
        elif kind == "case_whitespace_duplicate":
            src = d[1]
            assert src in meta, src
            note = rows[src]["note"].lower().replace(". ", ".   ", 1).replace(", ", ",  ", 1)
            lines[ln] = dumps(record(SYSTEM, note, rows[src]["coding"]))
            rows[ln] = {"note": note, "coding": rows[src]["coding"]}
            info["of"] = src
        elif kind == "contradiction":
            src = next(s for s in range(d[1], ln) if s in meta
                       and meta[s]["codes"][0] in CONFUSABLE)
            codes = list(meta[src]["codes"])
            wrong, why = CONFUSABLE[codes[0]]
            info["was"], info["now"] = codes[0], wrong
            codes[0] = wrong
            ans = make_answer(codes, why)
            lines[ln] = dumps(record(SYSTEM, rows[src]["note"], ans))
            rows[ln] = {"note": rows[src]["note"], "coding": ans}
            info["of"] = src
        else:
            note, codes, why = next(fresh_it)
            ans = make_answer(codes, why)
            if kind == "pii_email_phone":
                first, rest = note.split(". ", 1)
                note = (f"{first}. Results to go to the patient's daughter Jane Doe at "
                        f"jane.doe@example.com or (555) 014-2231. {rest}")
                lines[ln] = dumps(record(SYSTEM, note, ans))
            elif kind == "pii_ssn_mrn":
                note = f"Registration: MRN: 00482913, SSN 987-65-4321. {note}"
                lines[ln] = dumps(record(SYSTEM, note, ans))
            elif kind == "placeholder":
                note = "Patient name: {{patient_name}}. " + note
                lines[ln] = dumps(record(SYSTEM, note, ans))
            elif kind == "malformed_json":
                full = dumps(record(SYSTEM, note, ans))
                assert full.endswith('"}]}')
                lines[ln] = full[:-3]          # truncated: closing } ] } missing
            elif kind == "unknown_key":
                rec = record(SYSTEM, note, ans)
                rec["messages"][1]["author"] = "dr_x"
                lines[ln] = dumps(rec)
            elif kind == "empty_assistant":
                ans = ""
                lines[ln] = dumps(record(SYSTEM, note, ans))
            elif kind == "refusal":
                ans = REFUSAL
                lines[ln] = dumps(record(SYSTEM, note, ans))
            elif kind == "rare_system_prompt":
                lines[ln] = dumps(record(RARE_SYSTEM, note, ans))
            elif kind == "no_assistant":
                lines[ln] = dumps(record(SYSTEM, note, None))
            elif kind == "whitespace_assistant":
                ans = "  " + ans + "   "
                lines[ln] = dumps(record(SYSTEM, note, ans))
            else:  # pragma: no cover
                raise ValueError(kind)
            if kind not in ("malformed_json", "no_assistant"):
                rows[ln] = {"note": note, "coding": ans}
        defects.append(info)
    text = "".join(lines[ln] + "\n" for ln in range(1, TOTAL_LINES + 1))
    return text, rows, defects


def build_csv(rows: dict[int, dict]) -> tuple[str, dict[int, int]]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["note_id", "clinical_note", "coding"])
    csv_line: dict[int, int] = {}
    for n, ln in enumerate(sorted(rows), start=2):
        row = rows[ln]
        nid = f"CC-{row.get('same_row_as', ln):04d}"
        w.writerow([nid, row["note"], row["coding"]])
        csv_line[ln] = n
    return buf.getvalue(), csv_line


# --------------------------------------------------------------------------- Alpaca
ALPACA = [
    ("Expand all abbreviations in this clinical note.",
     "Pt c/o SOB and CP x2d. Hx of HTN, HLD. Denies N/V.",
     "Patient complains of shortness of breath and chest pain for two days. History of "
     "hypertension and hyperlipidemia. Denies nausea and vomiting."),
    ("Convert this weight from pounds to kilograms, rounded to one decimal place.",
     "176 lb", "176 lb is approximately 79.8 kg (176 / 2.2046)."),
    ("Convert this temperature from Fahrenheit to Celsius, rounded to one decimal place.",
     "101.3 F", "101.3 F is 38.5 C ((101.3 - 32) x 5/9)."),
    ("Convert this blood glucose value from mg/dL to mmol/L.", "180 mg/dL",
     "180 mg/dL is approximately 10.0 mmol/L (divide by 18)."),
    ("Summarize the clinical note in one sentence.",
     "62-year-old woman with type 2 diabetes seen for follow-up. A1c 6.8%, down from 7.4%. "
     "Foot exam normal. Continue metformin and recheck A1c in 3 months.",
     "A 62-year-old woman with type 2 diabetes has improved control (A1c 6.8%) and will "
     "continue metformin with a repeat A1c in 3 months."),
    ("Calculate the body mass index and name the weight category.",
     "Weight 82 kg, height 1.75 m",
     "BMI = 82 / (1.75 x 1.75) = 26.8 kg/m2, which is in the overweight range (25.0-29.9)."),
    ("Rewrite this plan in plain language for the patient.",
     "Continue lisinopril 10 mg PO daily. Low-Na diet. RTC 3 mo with BMP.",
     "Keep taking lisinopril 10 mg by mouth once a day. Eat less salt. Come back in 3 months "
     "and we will check your blood chemistry then."),
    ("List every medication with its dose and frequency from the note.",
     "Takes metformin 500 mg BID, atorvastatin 20 mg nightly, and aspirin 81 mg daily.",
     "1. Metformin 500 mg twice daily\n2. Atorvastatin 20 mg nightly\n3. Aspirin 81 mg daily"),
    ("Reformat this note into SOAP sections.",
     "Sore throat and fever 2 days, no cough. Temp 38.6 C, tonsillar exudate, rapid strep "
     "positive. Strep pharyngitis. Amoxicillin 10 days.",
     "S: Sore throat and fever for 2 days, no cough.\nO: Temperature 38.6 C, tonsillar "
     "exudate, rapid strep positive.\nA: Streptococcal pharyngitis.\nP: Amoxicillin for 10 "
     "days."),
    ("Convert this 24-hour clock time to 12-hour format.", "1430", "2:30 PM"),
    ("Extract the vital signs as JSON with keys temp_c, hr, bp, rr and spo2.",
     "VS: T 37.9 C, HR 104, BP 132/84, RR 20, SpO2 95% RA.",
     '{"temp_c": 37.9, "hr": 104, "bp": "132/84", "rr": 20, "spo2": 95}'),
    ("Write out this prescription sig in full words.", "1 tab PO BID PRN pain",
     "Take one tablet by mouth twice a day as needed for pain."),
    ("Convert this serum creatinine from mg/dL to umol/L.", "1.4 mg/dL",
     "1.4 mg/dL is approximately 124 umol/L (multiply by 88.4)."),
    ("Write short discharge instructions for this diagnosis.", "Right ankle sprain",
     "Rest the ankle and use crutches if walking hurts. Apply ice for 15-20 minutes several "
     "times a day, wear the compression wrap or brace, and keep the foot raised. Return if "
     "you cannot bear weight, the foot becomes numb or cold, or the pain gets worse."),
    ("List the findings that are negated in this sentence.",
     "Reports cough; denies fever, chills, or hemoptysis.",
     "Negated findings: fever, chills, hemoptysis. Cough is affirmed."),
    ("Calculate the mean arterial pressure.", "BP 120/80 mmHg",
     "MAP = (120 + 2 x 80) / 3 = 93.3 mmHg."),
    ("Convert this height to centimeters, rounded to one decimal place.", "5 ft 6 in",
     "5 ft 6 in = 66 in x 2.54 = 167.6 cm."),
    ("Rewrite this dictation as a concise, professional HPI.",
     "so um she's been having like headaches for a week or so mostly in the mornings and "
     "tylenol kind of helps",
     "The patient reports one week of headaches, predominantly in the morning, partially "
     "relieved by acetaminophen."),
    ("Name the four sections of a SOAP note and what each contains.", "",
     "Subjective: the patient's history and symptoms in their own words. Objective: "
     "measurable findings such as vitals, exam, labs and imaging. Assessment: the "
     "clinician's diagnosis or differential. Plan: tests, treatment, education and follow-up."),
    ("Calculate the smoking history in pack-years.",
     "Smoked 1.5 packs per day for 20 years.", "1.5 packs/day x 20 years = 30 pack-years."),
    ("Convert this liquid volume to milliliters.", "2 teaspoons", "2 teaspoons = 10 mL."),
    ("Expand these allergy and code-status abbreviations.", "NKDA, DNR/DNI",
     "No known drug allergies; Do Not Resuscitate / Do Not Intubate."),
    ("List the details missing from this injury diagnosis that ICD-10-CM coding needs.",
     "Ankle sprain after a fall.",
     "Laterality (right or left ankle), the specific ligament if known, and the encounter "
     "type (initial, subsequent, or sequela)."),
    ("Convert this date to ISO 8601 format.", "03/04/24 (US format)", "2024-03-04"),
    ("Classify which section of a clinical note this sentence belongs to.",
     "Lungs clear to auscultation bilaterally, no wheezes or crackles.",
     "Objective (physical examination)."),
]
ALPACA_EMPTY_INDEX = 14   # 1-based element whose output is blanked on purpose


def build_alpaca() -> tuple[str, int]:
    items = []
    for i, (ins, inp, out) in enumerate(ALPACA, start=1):
        items.append({"instruction": ins, "input": inp,
                      "output": "" if i == ALPACA_EMPTY_INDEX else out})
    text = json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  {"]
    assert len(starts) == len(items)
    return text, starts[ALPACA_EMPTY_INDEX - 1]


# --------------------------------------------------------------------------- README
KIND_TEXT = {
    "pii_email_phone": ("PII: e-mail + phone",
                        "PII finding in message 2 (user): e-mail `jane.doe@example.com` and "
                        "phone `(555) 014-2231` of a relative (fake name Jane Doe)."),
    "exact_duplicate": ("exact duplicate",
                        "`clean.exact_duplicate`: byte-identical copy of line {of}."),
    "placeholder": ("unfilled template placeholder",
                    "Template placeholder `{{{{patient_name}}}}` left in the user note."),
    "malformed_json": ("malformed JSON (truncated)",
                       "`clean.malformed_json`: line is cut off, closing `}}]}}` missing; "
                       "the record cannot be parsed."),
    "unknown_key": ("unknown message key",
                    "`clean.unknown_key`: message 2 (user) has `'author'`."),
    "case_whitespace_duplicate": ("duplicate up to case/whitespace",
                                  "`clean.exact_duplicate` (normalised match): same as line "
                                  "{of} except the note is lower-cased and has extra spaces."),
    "empty_assistant": ("empty assistant answer",
                        "`clean.empty_turn`: message 3 (assistant) is empty (`\"\"`)."),
    "refusal": ("refusal answer",
                "Refusal in the assistant turn: \"I'm sorry, but I cannot provide medical "
                "coding advice.\""),
    "contradiction": ("contradiction",
                      "Same system + user text as line {of} but a different answer "
                      "({was} there, {now} here); both lines belong to one contradiction group."),
    "rare_system_prompt": ("rare system-prompt variant",
                           "System prompt differs from the one used by every other example "
                           "(\"You are a helpful assistant that answers medical billing "
                           "questions.\")."),
    "no_assistant": ("no assistant message",
                     "`clean.no_assistant_message`: only system + user turns."),
    "pii_ssn_mrn": ("PII: SSN + MRN",
                    "PII finding in message 2 (user): SSN-format number `987-65-4321` and "
                    "`MRN: 00482913`."),
    "whitespace_assistant": ("leading/trailing whitespace",
                             "Assistant content has 2 leading and 3 trailing spaces "
                             "(fixable by trimming)."),
}

CSV_TEXT = {
    "pii_email_phone": "PII finding in `clinical_note`: e-mail `jane.doe@example.com` and phone "
                       "`(555) 014-2231`.",
    "exact_duplicate": "`clean.exact_duplicate`: whole row (`note_id` included) identical to "
                       "CSV line {src}.",
    "placeholder": "Template placeholder `{{{{patient_name}}}}` in `clinical_note`.",
    "unknown_key": "Nothing: the JSONL defect (message key) has no CSV equivalent; ordinary "
                   "clean row.",
    "case_whitespace_duplicate": "`clean.exact_duplicate` (normalised match): `clinical_note` "
                                 "equals CSV line {src} up to case and whitespace; same "
                                 "`coding`.",
    "empty_assistant": "`clean.empty_turn`: `coding` cell is empty.",
    "refusal": "Refusal in `coding`: \"I'm sorry, but I cannot provide medical coding "
               "advice.\"",
    "contradiction": "Same `clinical_note` as CSV line {src}, different `coding` ({was} there, "
                     "{now} here).",
    "rare_system_prompt": "Nothing: there is no system column; ordinary clean row.",
    "pii_ssn_mrn": "PII finding in `clinical_note`: SSN-format `987-65-4321` and "
                   "`MRN: 00482913`.",
    "whitespace_assistant": "`coding` cell has 2 leading and 3 trailing spaces.",
}


def build_readme(defects, n_lines, rows, csv_line, n_alpaca, alpaca_line, clean_codes) -> str:
    n_csv = len(rows)
    codes_used = sorted({c for d in clean_codes for c in d})
    L = []
    L.append("# Sample data for ftprep\n")
    L.append("**All data in this folder is synthetic.** The clinical notes are composed by "
             "`make_samples.py` from templates and random fill-ins (fixed seed); they describe "
             "no real person. The one name (Jane Doe), the e-mail address, the phone "
             "number, the SSN-format number and the MRN appear only in the lines listed below as PII "
             "defects, and are fake on purpose (`example.com` is a reserved domain, 555 phone "
             "numbers are fictional, `987-65-432x` is the range the US Social Security "
             "Administration reserves for advertising).\n")
    L.append("Regenerate (byte-identical output every run, stdlib only):\n")
    L.append("```\npython sample_data/make_samples.py\n```\n")
    L.append("## Files\n")
    L.append("| file | format | records |")
    L.append("|---|---|---|")
    L.append(f"| `clinical_coding.jsonl` | OpenAI chat JSONL, one example per line: "
             f"`{{\"messages\": [system, user, assistant]}}` | {n_lines} lines = "
             f"{n_lines - 1} parseable records + 1 malformed line |")
    L.append(f"| `clinical_coding.csv` | CSV (`csv` module quoting, `\\n` line ends), header "
             f"`note_id,clinical_note,coding` on line 1 | {n_csv} data rows (lines 2-{n_csv + 1}) |")
    L.append(f"| `alpaca_small.json` | Alpaca JSON array (`indent=2`), keys `instruction`, "
             f"`input`, `output` | {n_alpaca} elements |")
    L.append("| `make_samples.py` | generator for all of the above (and this README) | - |\n")
    L.append("### clinical_coding.jsonl\n")
    L.append("Task: assign ICD-10-CM diagnosis code(s) to a short synthetic clinical note "
             "(2-5 sentences; ED triage/provider notes, urgent care, clinic follow-ups, "
             "telehealth, SOAP notes, discharge-summary snippets). The user turn is the note; "
             "the assistant turn is a compact JSON string such as "
             "`{\"codes\": [\"E11.9\"], \"rationale\": \"...\"}`. Every example but one uses "
             "the same system prompt:\n")
    L.append("```text\n" + SYSTEM + "\n```\n")
    L.append(f"Apart from the defect lines below, every note is unique: no two clean notes "
             f"are equal after case/punctuation/whitespace folding, and no two share 50% or "
             f"more of their word 3-grams (digits masked). "
             f"{len(codes_used)} distinct ICD-10-CM codes are used (code list at the end).\n")
    L.append("### clinical_coding.csv\n")
    L.append("The same examples as a raw table export. `clinical_note` maps to the user turn "
             "and `coding` (the same JSON answer string) to the assistant turn; these column "
             "names are not among ftprep's guessed names, so load with "
             "`--map user=clinical_note --map assistant=coding`. There is no system column. "
             "`note_id` is `CC-` + the JSONL line number of the same example (an exact "
             "duplicate row repeats the original row, `note_id` included). The malformed line "
             f"and the line without an assistant message cannot be expressed in this layout "
             f"and are left out, so the CSV has {n_csv} rows. Every field is on one physical "
             "line, so CSV line number = row number + 1.\n")
    L.append("### alpaca_small.json\n")
    L.append(f"{n_alpaca} general clinical-documentation tasks (expanding abbreviations, unit "
             "conversions, summaries, SOAP reformatting, plain-language rewrites...). All are "
             f"clean except element {ALPACA_EMPTY_INDEX}, whose `output` is empty.\n")
    L.append("## Injected defects\n")
    L.append("Line numbers are 1-based physical lines of each file. Check ids in backticks "
             "are ftprep checks that exist today; the other rows describe what the "
             "corresponding (PII, refusal, placeholder, contradiction, system-prompt, "
             "whitespace) checks should report.\n")
    L.append("### clinical_coding.jsonl\n")
    L.append("| file | line | defect | what ftprep should report |")
    L.append("|---|---:|---|---|")
    for d in defects:
        title, text = KIND_TEXT[d["kind"]]
        L.append(f"| clinical_coding.jsonl | {d['line']} | {title} | {text.format(**d)} |")
    L.append("")
    con = next(d for d in defects if d["kind"] == "contradiction")
    L.append(f"No other line carries an injected defect. By design every line shares the same "
             f"system prompt (except line "
             f"{next(d['line'] for d in defects if d['kind'] == 'rare_system_prompt')}), and "
             f"many clean answers are identical strings (same codes and rationale for different "
             f"notes), as in any classification-style set; duplicate checks must therefore key "
             f"on the user note or the whole conversation, not on the answer alone. The "
             f"duplicate pairs (12/44, 229/311, 58/127) and the contradiction pair "
             f"({con['of']}/{con['line']}) also share their prompt.\n")
    L.append("### clinical_coding.csv\n")
    L.append("| file | line | note_id | JSONL line | defect | what ftprep should report |")
    L.append("|---|---:|---|---:|---|---|")
    for d in defects:
        ln = d["line"]
        if ln not in csv_line:
            continue
        title = KIND_TEXT[d["kind"]][0]
        if d["kind"] in ("rare_system_prompt", "unknown_key"):
            title = f"(none in CSV; JSONL {title})"
        nid = f"CC-{rows[ln].get('same_row_as', ln):04d}"
        text = CSV_TEXT[d["kind"]].format(src=csv_line.get(d.get("of", 0)), **d)
        L.append(f"| clinical_coding.csv | {csv_line[ln]} | {nid} | {ln} | {title} | {text} |")
    skipped = [d for d in defects if d["line"] not in csv_line]
    L.append("")
    L.append("Not in the CSV: " + "; ".join(
        f"JSONL line {d['line']} ({KIND_TEXT[d['kind']][0]})" for d in skipped) + ".\n")
    L.append("### alpaca_small.json\n")
    L.append("| file | line | element | defect | what ftprep should report |")
    L.append("|---|---:|---:|---|---|")
    L.append(f"| alpaca_small.json | {alpaca_line} | {ALPACA_EMPTY_INDEX} | empty output | `clean.empty_turn`: the "
             f"assistant turn (from `output`) is empty. Line {alpaca_line} is where the "
             f"element's `{{` starts. |\n")
    L.append("## ICD-10-CM codes used in clean answers\n")
    L.append("| code | description |")
    L.append("|---|---|")
    for c in codes_used:
        L.append(f"| {c} | {ICD10[c]} |")
    L.append("")
    L.append(f"Codes in the defect lines are drawn from the same list, except the "
             f"contradiction line, which deliberately uses {con['now']} instead of {con['was']}.")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------- main
def write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main() -> None:
    r = random.Random(SEED)
    jsonl, rows, defects = build_jsonl(r)
    csv_text, csv_line = build_csv(rows)
    alpaca_text, alpaca_line = build_alpaca()
    n_lines = jsonl.count("\n")
    clean_codes = [json.loads(rows[ln]["coding"])["codes"] for ln in rows
                   if ln not in DEFECT_AT]
    assert all(c in ICD10 for cs in clean_codes for c in cs)
    readme = build_readme(defects, n_lines, rows, csv_line, len(ALPACA), alpaca_line,
                          clean_codes)
    write(OUT / "clinical_coding.jsonl", jsonl)
    write(OUT / "clinical_coding.csv", csv_text)
    write(OUT / "alpaca_small.json", alpaca_text)
    write(OUT / "README.md", readme)
    print(f"clinical_coding.jsonl: {n_lines} lines; clinical_coding.csv: {len(rows)} rows; "
          f"alpaca_small.json: {len(ALPACA)} elements")


if __name__ == "__main__":
    main()

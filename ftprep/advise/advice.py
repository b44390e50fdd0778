"""``ftprep advise``: should this team finetune, engineer prompts, or build RAG?

The answers walk the decision tree (:mod:`.tree`); with a dataset, the evidence
(:mod:`.evidence`) is added. Evidence changes the recommendation in one case only: too few
examples to finetune on, where the leaf's ``fallback`` is recommended instead. Other evidence
that contradicts an answer is shown as a caveat naming the flag to reconsider, because the
person answering knows things about the task the data cannot show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ftprep.advise.evidence import DatasetProfile, Evidence, gather_evidence, profile_dataset
from ftprep.advise.tree import Ask, Tree, load_tree, walk
from ftprep.loaders import LoadOptions

RAG_OUTCOMES = ("rag", "rag_prompts")


class Step(BaseModel):
    """One question on the path taken."""

    question: str
    flag: str
    text: str
    answer: bool
    answered: Literal["given", "asked"]


class SecondOpinion(BaseModel):
    """A refinement beyond the decision tree: shown after the tree's answer, never instead."""

    recommendation: str
    title: str
    why: str
    based_on: str = Field(description="the evidence id or answers it rests on")


class Advice(BaseModel):
    """The recommendation, how it was reached, and what to compare it with (``--json``)."""

    recommendation: str
    title: str
    summary: str
    why: str
    next: str
    tree_outcome: str = Field(description="the decision tree's answer (= recommendation)")
    second_opinion: SecondOpinion | None = Field(
        None, description="a refinement beyond the tree (data too small, reasoning...)"
    )
    leaf: str
    path: list[Step]
    evidence: list[Evidence] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    data: DatasetProfile | None = None
    matrix: dict[str, Any]


def _agrees(favors: str, outcome: str) -> bool:
    if favors == "not_finetune":
        return outcome != "finetune"
    if favors == "rag":
        return outcome in RAG_OUTCOMES
    return outcome == favors


def matrix_view(tree: Tree) -> dict[str, Any]:
    """The comparison matrix: dimensions, their labels, and each approach's entries."""
    m = tree.matrix
    return {
        "dimensions": list(m["dimensions"]),
        "labels": dict(m["labels"]),
        "approaches": {
            oid: {"title": tree.outcomes[oid].title, **{d: m[oid][d] for d in m["dimensions"]}}
            for oid in m["order"]
        },
    }


def advise(
    answers: Mapping[str, bool | None] | None = None,
    *,
    data: Sequence[str | Path] = (),
    load_options: LoadOptions | None = None,
    ask: Ask | None = None,
    tree: Tree | None = None,
) -> Advice:
    """Recommend finetuning, prompt engineering, RAG, or RAG + better prompts.

    ``answers`` maps question ids (``style``, ``knows``, ``fresh``, ``reasoning``) to yes/no;
    ``ask`` is called for questions on the path without an answer (None: raise
    :class:`~ftprep.advise.tree.MissingAnswer`); ``data`` adds evidence from a dataset.
    """
    tree = tree or load_tree()
    given = dict(answers or {})
    path, leaf = walk(tree, given, ask)
    assert leaf.outcome is not None
    outcome = leaf.outcome
    steps = [
        Step(question=q.id, flag=q.flag, text=q.text, answer=a, answered=how) for q, a, how in path
    ]
    evidence: list[Evidence] = []
    caveats: list[str] = []
    profile = None
    second: SecondOpinion | None = None
    if given.get("knows") and given.get("reasoning") and outcome == "prompt":
        second = SecondOpinion(
            recommendation="finetune",
            title=tree.outcomes["finetune"].title,
            why=(
                "you also said the reasoning is domain-specific and complex: the model knows "
                "the facts, but a domain's own way of reasoning with them is taught best by "
                "worked examples; finetune if prompting plateaus"
            ),
            based_on="answers",
        )
    if data:
        rules = tree.evidence
        profile = profile_dataset(
            data, load_options, int(rules["factual_recall"].get("max_answer_words", 30))
        )
        evidence = gather_evidence(profile, rules)
        few = next(e for e in evidence if e.id == "too_few_examples")
        if few.triggered and outcome == "finetune":
            fallback = leaf.fallback or outcome
            second = SecondOpinion(
                recommendation=fallback,
                title=tree.outcomes[fallback].title,
                why=(
                    f"the answers lead to finetuning, but the data has {few.message}; "
                    f"{tree.outcomes[fallback].title} until there are at least "
                    f"{int(few.threshold)} examples"
                ),
                based_on=few.id,
            )
        answered = {s.question: s.answer for s in steps}
        for ev in evidence:
            if not ev.triggered:
                continue
            ev.agrees = _agrees(ev.favors, outcome)
            rule = rules.get(ev.id, {})
            qid = rule.get("question")
            if ev.agrees or qid is None:
                continue
            q = tree.questions[qid]
            suggested = bool(rule["suggests"])
            flag = f"--{q.flag}" if suggested else f"--no-{q.flag}"
            if answered.get(qid) is None:
                caveats.append(f"{ev.message}; '{q.text}' was not asked on this path")
            elif answered[qid] != suggested:
                caveats.append(f"{ev.message}; reconsider your answer ({flag}?)")
            else:
                caveats.append(ev.message)
    result = tree.outcomes[outcome]
    return Advice(
        recommendation=outcome,
        title=result.title,
        summary=result.summary,
        why=leaf.why,
        next=result.next,
        tree_outcome=leaf.outcome,
        second_opinion=second,
        leaf=leaf.id,
        path=steps,
        evidence=evidence,
        caveats=caveats,
        data=profile,
        matrix=matrix_view(tree),
    )

"""The decision tree (``data/tree.toml``): loading, validation and walking.

The tree is data so that the reasoning behind each recommendation can be read, reviewed and
changed in one place; this module only checks it is a proper tree (every node reachable, no
cycles, no dangling ids) and walks it with the answers it is given.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from ftprep.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Model):
    id: str
    flag: str
    text: str
    help: str = ""


class Node(_Model):
    """A question node (``question``, ``yes``, ``no``) or a leaf (``outcome``, ``why``)."""

    id: str
    question: str | None = None
    yes: str | None = None
    no: str | None = None
    outcome: str | None = None
    fallback: str | None = None
    why: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.outcome is not None


class Outcome(_Model):
    id: str
    title: str
    summary: str
    next: str


class Tree(_Model):
    start: str
    questions: dict[str, Question]
    nodes: dict[str, Node]
    outcomes: dict[str, Outcome]
    evidence: dict[str, dict[str, Any]]
    matrix: dict[str, Any]


class MissingAnswer(ConfigError):
    """A question on the path has no answer and there is no one to ask."""

    def __init__(self, question: Question) -> None:
        self.question = question
        super().__init__(
            f"no answer to '{question.text}': pass --{question.flag} or --no-{question.flag} "
            "(or run in a terminal to be asked)"
        )


def parse_tree(data: Mapping[str, Any]) -> Tree:
    """Build and validate a tree from its TOML data."""
    tree = Tree(
        start=data["start"],
        questions={k: Question(id=k, **v) for k, v in data["questions"].items()},
        nodes={k: Node(id=k, **v) for k, v in data["nodes"].items()},
        outcomes={k: Outcome(id=k, **v) for k, v in data["outcomes"].items()},
        evidence=dict(data.get("evidence", {})),
        matrix=dict(data.get("matrix", {})),
    )
    _validate(tree)
    return tree


def _validate(tree: Tree) -> None:
    seen: set[str] = set()

    def visit(node_id: str, trail: tuple[str, ...]) -> None:
        if node_id in trail:
            raise ConfigError(f"decision tree has a cycle through '{node_id}'")
        node = tree.nodes.get(node_id)
        if node is None:
            raise ConfigError(f"decision tree refers to unknown node '{node_id}'")
        seen.add(node_id)
        if node.is_leaf:
            for oid in (node.outcome, node.fallback or node.outcome):
                if oid not in tree.outcomes:
                    raise ConfigError(f"node '{node_id}': unknown outcome '{oid}'")
            return
        if node.question not in tree.questions or node.yes is None or node.no is None:
            raise ConfigError(f"node '{node_id}' needs a known question, yes and no")
        visit(node.yes, (*trail, node_id))
        visit(node.no, (*trail, node_id))

    visit(tree.start, ())
    unreachable = sorted(set(tree.nodes) - seen)
    if unreachable:
        raise ConfigError(f"decision tree nodes never reached: {', '.join(unreachable)}")
    for oid in tree.matrix.get("order", []):
        missing = [d for d in tree.matrix["dimensions"] if d not in tree.matrix.get(oid, {})]
        if missing:
            raise ConfigError(f"matrix.{oid} lacks {', '.join(missing)}")


@lru_cache(maxsize=1)
def load_tree() -> Tree:
    """The built-in decision tree."""
    text = (
        resources.files("ftprep.advise").joinpath("data").joinpath("tree.toml").read_text("utf-8")
    )
    return parse_tree(tomllib.loads(text))


Ask = Callable[[Question], bool | None]


def walk(
    tree: Tree, answers: Mapping[str, bool | None], ask: Ask | None = None
) -> tuple[list[tuple[Question, bool, str]], Node]:
    """Follow the tree with ``answers`` (question id -> yes/no), asking ``ask`` for any
    question on the path that has no answer. Returns the path as (question, answer, how it
    was answered: "given" or "asked") steps and the leaf reached.

    Raises :class:`MissingAnswer` for an unanswered question when nobody can be asked.
    """
    path: list[tuple[Question, bool, str]] = []
    node = tree.nodes[tree.start]
    while not node.is_leaf:
        assert node.question is not None and node.yes is not None and node.no is not None
        question = tree.questions[node.question]
        answer, how = answers.get(question.id), "given"
        if answer is None and ask is not None:
            answer, how = ask(question), "asked"
        if answer is None:
            raise MissingAnswer(question)
        path.append((question, answer, how))
        node = tree.nodes[node.yes if answer else node.no]
    return path, node


def all_paths(tree: Tree) -> Iterator[tuple[dict[str, bool], Node]]:
    """Every root-to-leaf path as (answers, leaf): what the tests walk through the CLI."""

    def go(node_id: str, answers: dict[str, bool]) -> Iterator[tuple[dict[str, bool], Node]]:
        node = tree.nodes[node_id]
        if node.is_leaf:
            yield dict(answers), node
            return
        assert node.question is not None and node.yes is not None and node.no is not None
        yield from go(node.yes, {**answers, node.question: True})
        yield from go(node.no, {**answers, node.question: False})

    yield from go(tree.start, {})

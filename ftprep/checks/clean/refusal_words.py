"""The runs of words a match of each refusal pattern holds, and a batch reader for them.

``clean.refusal``'s batch screen first asked whether an answer holds *some* word of each
of a pattern's word groups ("i" and "not"): two fifths of natural answers do, and then
every pattern's keys were searched in them one by one. A match holds its words next to
each other, in order ("i", "m", "not", "a" for "I'm not a doctor"), and such a run is
rare in any text that does not hold the phrase: asking for it leaves some fifty answers
in ten thousand to the rule instead of some four thousand.

Each pattern has a few *runs*, sequences of slots, each slot a set of words; an answer
may match the pattern only when its words (``words.WORD_BYTES`` words: lower-case runs of
ASCII letters and digits) hold one of its runs, slot after slot on consecutive words. A
run is read off the pattern by hand, and holds only words that a match holds whole:

- every pattern begins at ``\\b`` before its first word, which the rule's window start
  never fakes (``re`` reads the character before ``pos``), so the first word is whole;
- a word followed inside the match by a space, an apostrophe or a dot is whole;
- the last word of a match may be cut by the end of the rule's window (``endpos`` makes
  ``\\b`` hold there) or run into what follows (``\\s*`` before "developed"): a slot for
  it names a *prefix* ("ai*": any word that begins with "ai", up to eight bytes), and a
  run ends with such a slot.

tests/test_text_screens.py holds the runs to the rule on generated answers made of the
patterns' phrases, cut and run together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ftprep.checks.byte_words import Hits, Needles, or_by_owner, word_numbers
from ftprep.checks.words import WORD_BYTES

#: The words that begin the term ``refusal._AI`` ends with ("a" of "a.i." too).
_AI = "artificial large language ai* llm*"
#: The first words of ``refusal._OBJ``'s alternatives.
_OBJECT = (
    "help assist fulfill fulfil comply complete honor grant provide generate create write "
    "produce share give engage participate do answer discuss support condone endorse "
    "continue proceed"
)
#: What a refusal's "I" may be followed by (``refusal._NEG`` cut into words, up to the
#: first word of its object where that is what tells it from ordinary text).
_NEGATIONS = (
    f"cannot / {_OBJECT}",
    f"can / t not / {_OBJECT}",
    "won / t",
    "will / not",
    "unable / to",
    "not / able allowed permitted going / to",
    "must / decline",
    "refuse / to",
    "have / to / decline",
)
_MADE = "trained developed created built made programmed"
_MAKERS = "openai* anthropi* google* meta* microsof* mistral*"
#: Per pattern of ``refusal.PATTERNS`` (in order): its runs, slots parted by " / ".
RUNS: tuple[tuple[str, ...], ...] = (
    (f"as / {_AI}", "as / a / i", f"as / a an / a {_AI}"),
    (
        f"i / m am / {_AI}",
        "i / m am / a / i",
        f"i / m am / a an / a {_AI}",
        f"i / m am / just only merely simply / a an {_AI}",
    ),
    ("i / do / not / have", "i / don / t / have", "i / cannot / have", "i / can / t / have"),
    (
        "i / can / t / browse access search",
        "i / cannot / browse access search",
        "i / am m / unable / to / browse access search",
        "i / am m / not / able / to",
        "i / don / t / have / the",
        "i / do / not / have / the",
    ),
    ("my the / knowledge training",),
    ("as / of / my",),
    ("my / training / data",),
    (f"i / was am m / {_MADE} / by / {_MAKERS}", f"i / have ve / been / {_MADE} / by"),
    ("i / m am / not / a an",),
    (
        "i / cannot / provide give offer",
        "i / can / t not / provide give offer",
        "i / am m / unable / to / provide give offer",
        "i / am m / not / able qualified allowed / to",
    ),
    tuple(f"i / {negation}" for negation in _NEGATIONS)
    + tuple(f"i / m am / {negation}" for negation in _NEGATIONS),
    (
        "i / must / respectfully politely decline* refuse*",
        "i / have need / to / respectfully politely decline* refuse*",
        "i / will ll / have / to",
    ),
    ("this that your / request question query prompt / violates* breaches* goes is",),
    (
        "against violate violates / my / ethical guidelin* programm* principl* policies*",
        "against violate violates / openai",
    ),
    (
        "it / is s / not inappropriate unethical irresponsible",
        "it / would / be / not inappropriate unethical irresponsible",
    ),
    ("i / m am / not / comfortable going",),
    ("i / don / t / feel think", "i / do / not / feel think"),
)
#: A run as its slots, each the set of its words ("ai*": a prefix).
Run = tuple[frozenset[str], ...]


def _parse() -> tuple[tuple[Run, ...], ...]:
    """:data:`RUNS` as slots: two or more to a run; a prefix only in a run's last slot
    (where the match may end), of at most eight bytes (what the reader compares)."""
    out = []
    for runs in RUNS:
        parsed = []
        for run in runs:
            slots = tuple(frozenset(slot.split()) for slot in run.split(" / "))
            if len(slots) < 2:  # the reader reads a run's ends from its second slot on
                raise AssertionError(f"a run of one slot: {run!r}")
            for slot in slots[:-1]:
                if any(word.endswith("*") for word in slot):
                    raise AssertionError(f"a prefix before the last slot of {run!r}")
            if any(len(word) > 9 for word in slots[-1] if word.endswith("*")):
                raise AssertionError(f"a prefix of more than eight bytes in {run!r}")
            parsed.append(slots)
        out.append(tuple(parsed))
    return tuple(out)


PARSED = _parse()
#: The runs of all patterns, in order, each a bit of an int64 (at most 63 of them).
_ALL_RUNS: tuple[Run, ...] = tuple(run for runs in PARSED for run in runs)
if len(_ALL_RUNS) > 63:
    raise AssertionError("more runs than bits")
#: Every word a slot names whole.
WORDS = frozenset(w for run in _ALL_RUNS for slot in run for w in slot if not w.endswith("*"))
_LONGEST = max(map(len, _ALL_RUNS))


def may_match(words: Sequence[str], runs: tuple[Run, ...]) -> bool:
    """Whether ``words`` (of one text, in order) hold one of ``runs`` (the straightforward
    reading, which :class:`RunReader` does for a batch at once)."""
    for run in runs:
        for start in range(len(words) - len(run) + 1):
            if all(_in_slot(words[start + k], slot) for k, slot in enumerate(run)):
                return True
    return False


def _in_slot(word: str, slot: frozenset[str]) -> bool:
    """Whether ``word`` is one of ``slot``'s words or begins with one of its prefixes."""
    return word in slot or any(w.endswith("*") and word.startswith(w[:-1]) for w in slot)


class RunReader:
    """Which runs the ASCII answers of a batch hold, read from their :class:`Hits`
    (``byte_words.hits`` with ``follow``) of needles that hold :data:`WORDS`: slot by
    slot over the hits, a run's bit kept on a hit while the words up to it fill its
    slots, a prefix slot asked of the bytes of the word after the hit."""

    def __init__(self, needles: Needles) -> None:
        numbers = needles.numbers
        words = sorted(WORDS)
        _, found = word_numbers(words, WORD_BYTES)  # one word each
        at = np.searchsorted(numbers, found)
        if (at >= len(numbers)).any() or (numbers[np.minimum(at, len(numbers) - 1)] != found).any():
            raise AssertionError("the needles miss a word of the runs")
        #: per slot, per needle: the bits of the runs whose slot there holds its word
        self.slots = np.zeros((_LONGEST, len(numbers)), dtype=np.int64)
        #: per slot: the bits of the runs that end there
        self.ends = np.zeros(_LONGEST, dtype=np.int64)
        #: per slot: (mask, bytes, bits) of each prefix there, and the bits of its runs
        self.prefixes: list[list[tuple[np.uint64, np.uint64, int]]] = [[] for _ in range(_LONGEST)]
        self.prefixed = np.zeros(_LONGEST, dtype=np.int64)
        index = dict(zip(words, at.tolist(), strict=True))
        by_prefix: list[dict[str, int]] = [{} for _ in range(_LONGEST)]
        for bit, run in enumerate(_ALL_RUNS):
            self.ends[len(run) - 1] |= 1 << bit
            for k, slot in enumerate(run):
                for word in slot:
                    if word.endswith("*"):
                        by_prefix[k][word[:-1]] = by_prefix[k].get(word[:-1], 0) | 1 << bit
                        self.prefixed[k] |= 1 << bit
                    else:
                        self.slots[k, index[word]] |= 1 << bit
        for k, prefixes in enumerate(by_prefix):
            for prefix, bits in sorted(prefixes.items()):
                raw = prefix.encode("ascii")
                mask = np.uint64((1 << (8 * len(raw))) - 1)
                self.prefixes[k].append((mask, np.uint64(int.from_bytes(raw, "little")), bits))
        #: per pattern: the bits of its runs
        self.patterns = np.zeros(len(PARSED), dtype=np.int64)
        bit = 0
        for p, runs in enumerate(PARSED):
            for _ in runs:
                self.patterns[p] |= 1 << bit
                bit += 1
        self.every = int(np.bitwise_or.reduce(self.patterns))

    def held(self, size: int, found: Hits) -> np.ndarray:
        """Per text ``0 .. size - 1`` of ``found`` (``hits`` with ``follow``): the bits
        of the runs its words hold."""
        assert found.at is not None and found.after is not None
        needle, at, owner, after = found.needle, found.at, found.owner, found.after
        done = np.zeros(len(needle), dtype=np.int64)
        if not len(needle):
            return np.zeros(size, dtype=np.int64)
        # a hit continues the run of the hit before it when their words are neighbours
        follows = np.zeros(len(needle), dtype=bool)
        follows[1:] = (at[1:] == at[:-1] + 1) & (owner[1:] == owner[:-1])
        alive = self.slots[0][needle]  # runs whose first slot this hit fills
        for k in range(1, _LONGEST):
            if self.prefixed[k]:
                open_ = alive & self.prefixed[k]
                rows = np.flatnonzero(open_)
                if len(rows):
                    nxt = after[rows]
                    for mask, value, bits in self.prefixes[k]:
                        hit = (nxt & mask) == value
                        done[rows[hit]] |= open_[rows[hit]] & bits
            step = np.zeros(len(needle), dtype=np.int64)
            step[1:] = alive[:-1] & self.slots[k][needle[1:]]
            step[~follows] = 0
            alive = step
            done |= alive & self.ends[k]
            if not alive.any():
                break
        return or_by_owner(size, owner, done)


__all__ = ["PARSED", "RUNS", "WORDS", "RunReader", "may_match"]

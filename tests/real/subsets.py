"""Rebuild the judged subsets of /work/shared/real/ (the record positions are fixed here).

The subsets in tests/data/real/ are committed and the tests read only them; this module
records *which* records were taken, so anyone holding the public originals can check that
each subset line is a byte-for-byte copy of a source record (re-serialised as one JSON
object per line). The positions were chosen once: every record behind a finding of the
then-current ftprep (capped per check, with both sides of a flagged pair) plus a seeded
random sample, so that the tricky cases (shared tool preamble, paraphrased identity
answers, role-play prose) are all present.

Usage: ``python -m tests.real.subsets /path/to/shared/real tests/data/real``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: subset file -> (source file, 0-based positions of the records taken, in order).
# fmt: off
SUBSETS: dict[str, tuple[str, tuple[int, ...]]] = {
    "fastchat_dummy_conversation.jsonl": (
        "fastchat_dummy_conversation.json",
        tuple(range(100)),
    ),
    "gpteacher_roleplay.jsonl": (
        "gpteacher_roleplay.json",
        (
        13, 21, 52, 59, 60, 61, 72, 86, 99, 138, 180, 183, 186, 188, 191, 326, 337, 342, 404, 411,
        478, 505, 514, 559, 604, 606, 607, 633, 668, 695, 701, 733, 741, 744, 750, 752, 765, 805,
        820, 940, 966, 1003, 1017, 1020, 1032, 1099, 1116, 1121, 1153, 1175, 1241, 1269, 1270, 1339,
        1347, 1375, 1390, 1455, 1460, 1473, 1557, 1566, 1608, 1620, 1634, 1675, 1694, 1732, 1758,
        1780, 1812, 1818, 1843, 1847, 1864, 1874, 1905, 1976, 1995, 2007, 2011, 2012, 2013, 2023,
        2064, 2076, 2183, 2200, 2278, 2370, 2434, 2509, 2573, 2576, 2590, 2611, 2707, 2755, 2808,
        2833, 2839, 2851, 2860, 2895, 2972, 2994, 3001, 3034, 3035, 3036
        ),
    ),
    "gpteacher_toolformer.jsonl": (
        "gpteacher_toolformer.json",
        (
        0, 1, 5, 7, 10, 14, 15, 16, 20, 30, 34, 37, 38, 49, 84, 173, 176, 227, 272, 419, 451, 504,
        568, 590, 644, 667, 686, 738, 804, 815, 901, 952, 980, 984, 1013, 1044, 1132, 1211, 1264,
        1305, 1341, 1547, 1590, 1593, 1653, 1680, 1745, 1752, 1801, 2173, 2214, 2225, 2329, 2330,
        2364, 2512, 2575, 2579, 2640, 2735, 2946, 3039, 3116, 3261, 3526, 3552, 3636, 3650, 3725,
        3735, 3774, 3807, 3861, 3978, 4051, 4170, 4224, 4288, 4346, 4347, 4618, 4744, 4746, 4778,
        4801, 4826, 4855, 4923, 4924, 4970, 5070, 5111, 5222, 5313, 5352, 5423, 5450, 5523, 5625,
        5655, 5667, 5687, 5693, 5782, 5783, 5845, 5975, 6005, 6009, 6137, 6142, 6183, 6185, 6187,
        6218, 6250, 6436, 6508, 6539, 6594, 6730, 6760, 6874, 6879, 7112, 7174, 7349, 7374, 7388,
        7610
        ),
    ),
}
# fmt: on


def build(source_dir: Path, out_dir: Path) -> None:
    """Write every subset from the original JSON arrays in ``source_dir``."""
    for out_name, (source_name, positions) in SUBSETS.items():
        records = json.loads((source_dir / source_name).read_text(encoding="utf-8"))
        with (out_dir / out_name).open("w", encoding="utf-8", newline="\n") as fh:
            for i in positions:
                fh.write(json.dumps(records[i], ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tests.real.subsets SOURCE_DIR OUT_DIR")
    build(Path(sys.argv[1]), Path(sys.argv[2]))

"""Load errors for records ftprep refuses to hold or cannot interpret.

Untrusted inputs can be arbitrarily large, deep or odd; these codes bound what one record
may cost and turn anything a format adapter cannot handle into a located, listed drop
instead of a crash. The limits are listed in docs/limits.md.
"""

from __future__ import annotations

from ftprep.checks.base import load_check

_FIX_DROP = "ftprep drops such records from the split and lists each in the report."

load_check(
    "clean.record_too_large",
    "clean",
    "error",
    "{count} records exceed a size limit",
    f"""
    Record is larger, deeper or longer than ftprep reads.

    What: a line, CSV row or JSON array element over the maximum record size (8 MB by
    default), values nested more than 100 levels deep, or an integer over 4,300 digits.
    Why: no platform accepts such an example (an 8 MB record is millions of tokens), and
    holding it would cost memory out of all proportion; deep nesting and giant integers are
    usually a broken export or a hostile file.
    Threshold: any such record.
    Fix: shorten or flatten the record, or write the number as a string; for genuinely large
    records raise the limit with `--max-record-mb` or `max_record_mb` in the config.
    {_FIX_DROP}
""",
)
load_check(
    "clean.unreadable_record",
    "clean",
    "error",
    "{count} records cannot be read",
    f"""
    Record cannot be read as its format, or the file cannot be read past it.

    What: a record whose shape the detected (or `--from`) format cannot interpret, such as a
    prompt without its completion, or a compressed file that is corrupt or truncated after
    this line.
    Why: an example that cannot be interpreted cannot be trained on; a damaged archive means
    the rest of the data is missing.
    Threshold: any such record.
    Fix: repair the record, pass `--from` with the right format, or re-create the archive.
    {_FIX_DROP}
""",
)

"""Write the split: a second streaming pass over the inputs into train/validation files.

Every output is checked against every input before anything is written (:func:`guard_outputs`).
A file is written to a temporary name and renamed into place only when complete, so an
interrupted run never leaves half a file; temporaries get the umask's permissions like any
file the user creates, and are removed when the run fails or is interrupted.

A split is one unit: inside :func:`publishing`, every file written into the output directory
(train, validation, reports, companions, anything written through :func:`atomic_writer`)
goes to a private staging folder and is moved into place only when all of them are complete,
with signals held back for those few renames. The previous run's manifest is removed first
and the new one (:data:`MANIFEST`, every file with its size and SHA-256) written last, so a
reader can tell a complete split from an interrupted one with :func:`verify_split`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import shutil
import signal
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from ftprep.errors import OutputError
from ftprep.jsonl import dumps
from ftprep.pii.redact import redactor_for
from ftprep.schema import Example
from ftprep.split.conservation import conservation_problems
from ftprep.split.fixes import apply_fixes
from ftprep.split.plan import TRAIN, VALIDATION

if TYPE_CHECKING:
    from ftprep.config import Config
    from ftprep.features import FeatureTable
    from ftprep.loaders import Source
    from ftprep.split.plan import SplitPlan


class Analysed(Protocol):
    """What the writer reads of a pass over the inputs (:class:`ftprep.engine.Analysis` is
    one). The writer sits below the engine: it reads what a pass found and never runs one."""

    @property
    def config(self) -> Config: ...
    @property
    def sources(self) -> list[Source]: ...
    @property
    def hashes(self) -> list[str]: ...
    @property
    def features(self) -> FeatureTable: ...
    @property
    def records(self) -> int: ...
    @property
    def plan(self) -> SplitPlan | None: ...
    @property
    def fix_changes(self) -> dict[int, list[str]]: ...
    @property
    def change_details(self) -> dict[tuple[int, str], str]:
        """Filled while writing: what each redaction did, for the report."""
        ...


#: Written last into a published split directory: which files make up the split.
MANIFEST = "ftprep-manifest.json"
_STAGING_PREFIX = ".ftprep-staging-"
_TMP_SUFFIX = ".ftprep-tmp"


def _encoded(record: dict[str, Any], where: Any) -> str:
    """The record as a strict JSONL line; a value JSON cannot hold (only in-memory inputs
    can carry one) stops the run naming the record, before anything is published."""
    try:
        return dumps(record)
    except (TypeError, ValueError, RecursionError) as exc:
        raise OutputError(
            f"{where.source}:{where.line}: the record holds a value that cannot be written as "
            f"JSON ({exc}); convert it to text, a number or a list first"
        ) from exc


def output_line(
    example: Example,
    fixes: Sequence[str],
    where: Any,
    redact: Callable[[Example], tuple[Example, list[str]]] | None = None,
    encode: Callable[[Example], dict[str, Any]] | None = None,
) -> tuple[str, str | None]:
    """One kept example as its output line, after its ``--fix`` changes (and redaction,
    whose description comes back second): the one serialisation every writer uses, so a
    sharded split holds the very lines the single-file one does."""
    done = None
    if redact is not None and "redact_pii" in fixes:
        example, changes = redact(example)
        done = "; ".join(changes)
    example = apply_fixes(example, [f for f in fixes if f != "redact_pii"])
    line = encode(example) if encode is not None else example.to_record()
    return _encoded(line, where), done


def _create(path: Path) -> IO[str]:
    """Create ``path`` exclusively with the umask's permissions (``mkstemp`` would make it
    0600, so published files would be unreadable to the user's group)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


class Staging:
    """The files of one split, written into a private folder of the output directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.folder = directory / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self.files: list[str] = []
        #: More manifest entries (a sharded split's counts, see :mod:`ftprep.split.sharded`).
        self.extra: dict[str, Any] = {}
        #: Files of an earlier split this one replaces (removed when it is published).
        self.stale: list[str] = []

    def path_of(self, final: Path) -> Path:
        """Where ``final`` is being written until the split is published."""
        if final.parent.resolve() == self.directory.resolve() and final.name in self.files:
            return self.folder / final.name
        return final

    def publish(self) -> None:
        """Move every staged file into place, then write the manifest (signals held)."""
        entries = {name: _describe(self.folder / name) for name in sorted(self.files)}
        with _signals_held():
            (self.directory / MANIFEST).unlink(missing_ok=True)
            for name in self.stale:
                (self.directory / name).unlink(missing_ok=True)
            for name in self.files:
                os.replace(self.folder / name, self.directory / name)
            manifest = {"schema_version": 1, "complete": True, "files": entries, **self.extra}
            tmp = self.folder / MANIFEST
            with _create(tmp) as fh:
                fh.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            os.replace(tmp, self.directory / MANIFEST)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_STAGING: ContextVar[Staging | None] = ContextVar("ftprep_staging", default=None)


def _describe(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back for a few renames so they happen all or (almost) none."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale(directory: Path) -> None:
    """Remove staging folders and temporaries that a killed run (SIGKILL, power loss) left
    behind; those of a run still going (its process is alive) are left alone."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(_STAGING_PREFIX):
            pid = name[len(_STAGING_PREFIX) :].split("-", 1)[0]
        elif name.endswith(_TMP_SUFFIX) and name.startswith("."):
            pid = name[: -len(_TMP_SUFFIX)].rsplit(".", 2)[-2] if name.count(".") >= 3 else ""
        else:
            continue
        if pid.isdigit() and not _pid_alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@contextmanager
def publishing(directory: Path) -> Iterator[Staging]:
    """Stage every file written into ``directory`` and publish them together on success;
    on any error or interruption, discard them and leave the directory as it was."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot create the output folder: {_cause(exc)}") from exc
    remove_stale(directory)
    stage = Staging(directory)
    try:
        stage.folder.mkdir()
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write in the output folder: {_cause(exc)}") from exc
    token = _STAGING.set(stage)
    try:
        yield stage
        stage.publish()
    except BaseException:
        stage.discard()
        raise
    finally:
        _STAGING.reset(token)


def staged_path(final: Path) -> Path:
    """Where ``final`` currently is: its staging copy while a split is being published."""
    stage = _STAGING.get()
    return stage.path_of(final) if stage is not None else final


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """Write ``path`` through a temporary file in the same directory, then rename (or
    stage it, inside :func:`publishing` for its directory)."""
    if _special(path):  # /dev/stdout, a pipe: written straight through, never replaced
        try:
            with path.open("w", encoding="utf-8", newline="\n") as out:
                yield out
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_cause(exc)}") from exc
        return
    stage = _STAGING.get()
    if stage is not None and path.parent.resolve() == stage.directory.resolve():
        tmp = stage.folder / path.name
        tmp.unlink(missing_ok=True)  # written twice in one run: the last version wins

        def publish() -> None:
            if path.name not in stage.files:
                stage.files.append(path.name)

    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{path.parent}: cannot create the folder: {_cause(exc)}") from exc
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{_TMP_SUFFIX}"

        def publish() -> None:
            os.replace(tmp, path)

    try:
        fh = _create(tmp)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {_cause(exc)}") from exc
    try:
        with fh:
            yield fh
        publish()
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is not None and exc.filename != str(tmp):
            raise  # about another file (an input read while writing), not this output
        raise OutputError(f"{path}: cannot write: {_cause(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _special(path: Path) -> bool:
    """An existing output that is not a regular file or a directory (a terminal, a pipe,
    ``/dev/stdout``): renaming a temporary over it would replace the device itself."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """:func:`write_text_atomic` for bytes (a fingerprint file)."""
    with atomic_writer(path) as fh:
        fh.flush()
        fh.buffer.write(data)  # type: ignore[attr-defined]


def _cause(exc: OSError) -> str:
    return exc.strerror or str(exc)


def verify_split(directory: str | Path) -> list[str]:
    """Problems that show ``directory`` does not hold one complete published split (an
    interrupted run, a file changed since): an empty list means every file listed in the
    manifest is there, with its size and SHA-256."""
    folder = Path(directory)
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return [f"{folder}: no {MANIFEST}: not a complete split (interrupted, or not ftprep's)"]
    except (OSError, ValueError) as exc:
        return [f"{folder / MANIFEST}: unreadable ({exc})"]
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or manifest.get("complete") is not True:
        return [f"{folder / MANIFEST}: not a complete split manifest"]
    problems = []
    for name, expected in sorted(files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: listed in the manifest but missing")
        elif _describe(path) != expected:
            problems.append(f"{path}: changed since the split was written")
    if not problems and "split" in manifest:
        problems += conservation_problems(folder, manifest["split"])
    return problems


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _writable_folder(path: Path) -> str | None:
    """Why files cannot be created next to ``path`` (None when they can): the nearest
    existing folder on its path must be a searchable, writable directory."""
    folder = path.parent
    while True:
        try:
            if folder.exists():
                break
        except OSError as exc:
            return _cause(exc)
        if folder.parent == folder:
            break
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a directory"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    return None


def guard_outputs(
    inputs: Sequence[Path | str], outputs: Sequence[Path], option: str = "--out"
) -> None:
    """Refuse, before anything is written, every output that would go wrong: one that is
    (or links to) an input, a directory, a name too long, or in a folder that cannot be
    written."""
    real_inputs = set()
    input_ids = set()
    for p in inputs:
        with contextlib.suppress(OSError, ValueError):
            real_inputs.add(os.path.realpath(p))
        ident = _identity(Path(p))
        if ident is not None:
            input_ids.add(ident)
    for out in outputs:
        out = Path(out)
        try:
            real = os.path.realpath(out)
        except (OSError, ValueError) as exc:
            raise OutputError(f"{out}: not a usable output path ({exc})") from exc
        ident = _identity(out)
        if real in real_inputs or (ident is not None and ident in input_ids):
            raise OutputError(
                f"{out}: refusing to overwrite an input file; choose another {option}"
            )
        try:
            is_dir = out.is_dir()
        except OSError as exc:
            raise OutputError(f"{out}: not a usable output path ({_cause(exc)})") from exc
        if is_dir:
            raise OutputError(f"{out}: is a directory; give a file name for {option}")
        if _special(out):
            continue  # a stream such as /dev/stdout: nothing to replace, no folder to write
        if len(out.name.encode("utf-8", "surrogateescape")) > 200:
            raise OutputError(f"{out}: the file name is too long")
        problem = _writable_folder(out)
        if problem is not None:
            raise OutputError(f"{out}: cannot write there: {problem}")


def guard_out_dir(out_dir: Path) -> None:
    """``split --out`` must be a directory (or not exist yet, in a writable folder)."""
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(
                f"{out_dir}: is a file; --out takes a directory for train.jsonl, "
                "validation.jsonl and the reports"
            )
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(f"{out_dir}: the name is too long") from exc
        raise OutputError(f"{out_dir}: not a usable output folder ({_cause(exc)})") from exc
    if out_dir.exists():
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise OutputError(f"{out_dir}: no permission to write in this folder")
        return
    problem = _writable_folder(out_dir / "x")
    if problem is not None:
        raise OutputError(f"{out_dir}: cannot create the output folder: {problem}")


def write_split(
    analysis: Analysed,
    train_path: Path,
    validation_path: Path,
    encode: Callable[[Example], dict[str, Any]] | None = None,
) -> None:
    """Stream the inputs again and write each kept example to its side of the split.

    ``encode`` turns an example into the output record (default: OpenAI chat / DPO JSONL);
    ``split --to TARGET`` passes the target's writer.
    """
    plan = analysis.plan
    assert plan is not None
    guard_outputs(
        [p for s in analysis.sources for p in (s.path, s.data_path)], [train_path, validation_path]
    )
    record_of_row = analysis.features["record"]
    redact = redactor_for(analysis.config)
    row = 0
    n_rows = len(record_of_row)
    with atomic_writer(train_path) as train, atomic_writer(validation_path) as val:
        record = 0
        for source in analysis.sources:
            for loaded in source:
                if loaded.example is not None:
                    if row >= n_rows or record_of_row[row] != record:
                        raise OutputError(
                            f"{source.name}: the input changed while splitting; run again"
                        )
                    side = plan.assignment[row]
                    if side in (TRAIN, VALIDATION):
                        fixes = analysis.fix_changes.get(row, [])
                        text, done = output_line(
                            loaded.example, fixes, loaded.location, redact, encode
                        )
                        if done is not None:
                            analysis.change_details[(row, "redact_pii")] = done
                        (train if side == TRAIN else val).write(text)
                    row += 1
                record += 1
        if (
            record != analysis.records
            or row != n_rows
            or [s.sha256() for s in analysis.sources] != analysis.hashes
        ):
            raise OutputError("an input changed while splitting; nothing was written, run again")

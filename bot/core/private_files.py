"""Files only this installation's user may read: ``var/``, the SQLite store, key files.

The embedded default keeps everything under ``var/``: the database with every
transcript, and the secrets (the data key, the Rasa token). Created with the
process's umask they were world-readable. Here a directory is created 0700 and a
file 0600, and a secret file is created once with ``O_EXCL`` so two processes
starting together cannot each write their own key (data encrypted with the loser's
would be lost), and a planted symlink is never followed to write a key elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` and its missing parents, each created 0700 (existing ones kept)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it a moment ago
        folder.chmod(DIR_MODE)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and 0600 unless it exists (a SQLite file before use)."""
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(descriptor)
    return path


def ensure_local_secret(var_dir: Path, name: str) -> str:
    """Return a random secret kept in ``var_dir``, creating it on first use.

    The embedded default needs no configuration: secrets such as the Rasa API token
    are generated once per installation and kept out of the repository. The value
    is written to a fresh file (``O_EXCL``, 0600) and linked into place, which
    fails if the name exists: the first process wins and every other reads its
    value, never a half-written file.
    """
    folder = private_dir(var_dir / "secrets")
    path = folder / name
    if path.is_symlink():
        raise RuntimeError(f"{path} is a symbolic link; refusing to use it as a key")
    if not path.exists():
        draft = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(secrets.token_urlsafe(32))
                out.flush()
                os.fsync(out.fileno())
            # Another process may have created it first: then theirs is used.
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()

"""Extracting a learner's .zip hand-in without trusting it.

A hand-in archive may (by accident or not) hold entries that escape the target folder
(``../x``, ``/etc/x``), symlinks that point anywhere, or a "zip bomb" that expands to
gigabytes. Everything is checked before a single byte is written, and extraction counts the
bytes it actually writes, because an entry's declared size may lie.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 200 * 2**20
MAX_ENTRIES = 2000
CHUNK = 2**16


class UnsafeArchive(ValueError):
    """The archive is not a zip, or extracting it would be unsafe; nothing was extracted."""


@dataclass(frozen=True)
class Limits:
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_entries: int = MAX_ENTRIES


def _entry_path(name: str) -> PurePosixPath:
    """The entry's relative path, or UnsafeArchive for absolute and ``..`` paths."""
    # Zips made on Windows may use backslashes; treat them as separators so `..\\x` is caught.
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise UnsafeArchive(f"entry {name!r} has an absolute path")
    path = PurePosixPath(cleaned)
    if any(part == ".." for part in path.parts):
        raise UnsafeArchive(f"entry {name!r} points outside the archive's folder ('..')")
    return path


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def check_archive(archive: zipfile.ZipFile, limits: Limits = Limits()) -> list[zipfile.ZipInfo]:
    """Every entry checked (paths, symlinks, count, declared size); the file entries to extract."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafeArchive(f"{len(infos)} entries; the limit is {limits.max_entries}")
    total = 0
    files = []
    for info in infos:
        _entry_path(info.filename)
        if _is_symlink(info):
            raise UnsafeArchive(f"entry {info.filename!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"entry {info.filename!r} is encrypted")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise UnsafeArchive(
                f"expands to more than {limits.max_total_bytes // 2**20} MB "
                f"(declared {sum(i.file_size for i in infos) / 2**20:,.0f} MB): a zip bomb?"
            )
        if not info.is_dir():
            files.append(info)
    return files


def safe_extract(zip_path: Path, dest: Path, limits: Limits = Limits()) -> list[Path]:
    """Extract ``zip_path`` into ``dest`` (created); the extracted files' paths.

    Raises UnsafeArchive, having written nothing outside ``dest`` (and, for every check
    that can be made up front, nothing at all).
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnsafeArchive(f"not a readable zip file ({error})") from None
    with archive:
        files = check_archive(archive, limits)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written = 0
        out: list[Path] = []
        for info in files:
            target = root.joinpath(*_entry_path(info.filename).parts)
            if root not in target.resolve().parents:
                raise UnsafeArchive(f"entry {info.filename!r} resolves outside the target folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL|O_NOFOLLOW: never write through a link or over an earlier entry.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(target, flags, 0o644)
            except FileExistsError:
                raise UnsafeArchive(f"entry {info.filename!r} appears twice") from None
            try:
                with os.fdopen(fd, "wb") as handle, archive.open(info) as source:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limits.max_total_bytes:
                            raise UnsafeArchive(
                                f"expands to more than {limits.max_total_bytes // 2**20} MB: a zip bomb?"
                            )
                        handle.write(chunk)
            except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
                raise UnsafeArchive(f"entry {info.filename!r} cannot be read ({error})") from None
            out.append(target)
        return out

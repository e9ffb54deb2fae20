"""Upload and list raw files: a local folder laid out exactly like the bucket, or S3."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from movie_pipeline.config import Settings
from movie_pipeline.datasets import RAW_FILES
from movie_pipeline.progress import progress_bar


@dataclass(frozen=True)
class Uploaded:
    """What happened to one file: where it went, its checksum, and whether bytes moved."""

    name: str
    key: str
    size: int
    sha256: str
    transferred: bool


def sha256_file(path: Path, chunk: int = 8 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def upload_raw_local(settings: Settings, files: dict[str, Path]) -> list[Uploaded]:
    """Copy raw files to ``<lake>/<bucket>/raw/<dataset>/<file>``, skipping unchanged ones.

    The checksum is kept beside the copy (``.sha256``, as S3 keeps it in metadata) so that a
    re-run transfers nothing when the content is the same.
    """
    results = []
    for name, src in files.items():
        raw = RAW_FILES[name]
        key = f"{settings.raw_prefix}/{raw.key}"
        dest = Path(settings.uri(key))
        digest = sha256_file(src)
        sidecar = dest.with_name(dest.name + ".sha256")
        unchanged = dest.exists() and sidecar.exists() and sidecar.read_text().strip() == digest
        if not unchanged:
            dest.parent.mkdir(parents=True, exist_ok=True)
            size = src.stat().st_size
            with (
                open(src, "rb") as fin,
                open(dest, "wb") as fout,
                progress_bar(total=size, desc=f"upload {name}", unit="B") as bar,
            ):
                while block := fin.read(8 << 20):
                    fout.write(block)
                    bar.update(len(block))
            shutil.copystat(src, dest)
            sidecar.write_text(digest + "\n")
        results.append(Uploaded(name, key, src.stat().st_size, digest, not unchanged))
    return results

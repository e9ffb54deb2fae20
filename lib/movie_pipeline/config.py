"""Settings: backend, bucket, prefixes, database (parameters > MOVIES_* env vars > defaults)."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKENDS = ("local", "aws")

# S3 bucket naming rules (the general-purpose bucket subset AWS documents).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Glue/Athena identifiers: lower case letters, digits and underscores (Athena lowercases anyway).
_IDENT_RE = re.compile(r"^[a-z_][a-z0-9_]{0,254}$")
_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_WORKGROUP_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class PipelineError(Exception):
    """A problem the user can fix (bad input, a stage not run yet): the CLI prints the message
    alone, without a traceback. Subclasses say what kind."""


class ConfigError(PipelineError, ValueError):
    """A setting has a value that AWS (or the local backend) would refuse."""


def validate_identifier(name: str, what: str = "identifier") -> str:
    """Return ``name`` if it is a safe Glue/Athena identifier, else raise ConfigError.

    Args:
        name: a database, table or column name.
        what: what the name is, for the error message.

    Examples:
        >>> validate_identifier("movies_db")
        'movies_db'
    """
    if not isinstance(name, str) or not _IDENT_RE.match(name):
        raise ConfigError(
            f"{what} {name!r} is not a valid Glue/Athena identifier: use lower-case letters, "
            "digits and underscores, starting with a letter or underscore"
        )
    return name


def validate_bucket(name: str) -> str:
    """Return ``name`` if it is a valid S3 bucket name, else raise ConfigError."""
    if (
        not isinstance(name, str)
        or not _BUCKET_RE.match(name)
        or ".." in name
        or re.match(r"^\d+\.\d+\.\d+\.\d+$", name)
        or name.startswith("xn--")
        or name.endswith("-s3alias")
    ):
        raise ConfigError(
            f"bucket {name!r} is not a valid S3 bucket name: 3-63 characters, lower-case letters, "
            "digits, dots and hyphens, starting and ending with a letter or digit"
        )
    return name


def _validate_prefix(value: str, what: str) -> str:
    value = value.strip("/")
    if not _PREFIX_RE.match(value) or any(part in ("..", ".") for part in value.split("/")):
        raise ConfigError(
            f"{what} {value!r} is not a valid S3 prefix (letters, digits, _ . - and /)"
        )
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline needs to know about where things live.

    The same object drives both backends: on ``local`` the bucket is a folder under
    ``lake_dir`` laid out exactly as the S3 bucket would be; on ``aws`` it is the real bucket.
    """

    backend: str = "local"
    bucket: str = "movie-analytics-lake"
    raw_prefix: str = "raw"
    cleaned_prefix: str = "cleaned"
    results_prefix: str = "results"
    quarantine_prefix: str = "quarantine"
    artifacts_prefix: str = "artifacts"
    temp_prefix: str = "tmp"
    database: str = "movies_db"
    workgroup: str = "movie_pipeline"
    region: str = "us-east-1"
    lake_dir: Path = field(default_factory=lambda: Path("outputs/lake"))
    spark_master: str = "local[2]"
    # A prefix that marks every AWS resource the project creates (sessions, jobs, roles), so
    # that cleanup and teardown touch only our own things.
    resource_prefix: str = "movie-pipeline"
    # Glue sizing (jobs and interactive sessions) and Athena's per-query scan cut-off: small
    # defaults, so that a first run on a real account costs cents. Env values arrive as strings;
    # the aws/ and glue/ modules convert and check them.
    glue_version: str = "5.1"
    worker_type: str = "G.1X"
    number_of_workers: int = 2
    idle_timeout_minutes: int = 15
    bytes_scanned_cutoff: int = 1_000_000_000

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(f"backend {self.backend!r} is not one of {', '.join(BACKENDS)}")
        validate_bucket(self.bucket)
        validate_identifier(self.database, "Glue database")
        if not _WORKGROUP_RE.match(self.workgroup):
            raise ConfigError(f"Athena workgroup {self.workgroup!r} is not valid")
        if not _REGION_RE.match(self.region):
            raise ConfigError(f"region {self.region!r} does not look like an AWS region")
        for name in (
            "raw_prefix",
            "cleaned_prefix",
            "results_prefix",
            "quarantine_prefix",
            "artifacts_prefix",
            "temp_prefix",
        ):
            object.__setattr__(self, name, _validate_prefix(getattr(self, name), name))
        object.__setattr__(self, "lake_dir", Path(self.lake_dir))
        # MOVIES_* variables arrive as text: whole-number settings are converted (and checked)
        # here, once, rather than by every caller.
        for f in dataclasses.fields(self):
            if f.type == "int":
                value = getattr(self, f.name)
                try:
                    number = int(value)
                    if isinstance(value, float) or number < 0:
                        raise ValueError(value)
                except (TypeError, ValueError):
                    raise ConfigError(
                        f"{f.name} must be a whole number >= 0, got {value!r}"
                    ) from None
                object.__setattr__(self, f.name, number)
        if not re.match(r"^[a-z][a-z0-9-]{1,30}$", self.resource_prefix):
            raise ConfigError(f"resource_prefix {self.resource_prefix!r} is not valid")

    # Locations ------------------------------------------------------------------------------
    @property
    def bucket_root(self) -> str:
        """``s3://bucket`` on AWS, the bucket folder on the local backend."""
        if self.backend == "aws":
            return f"s3://{self.bucket}"
        return str((self.lake_dir / self.bucket).resolve())

    def uri(self, *parts: str) -> str:
        """Join parts under the bucket root: ``uri('cleaned', 'cast_data')``."""
        tail = "/".join(p.strip("/") for p in parts if p)
        return f"{self.bucket_root}/{tail}" if tail else self.bucket_root

    def raw_uri(self, dataset: str = "") -> str:
        return self.uri(self.raw_prefix, dataset)

    def cleaned_uri(self, table: str = "") -> str:
        return self.uri(self.cleaned_prefix, table)

    def quarantine_uri(self, table: str = "") -> str:
        return self.uri(self.quarantine_prefix, table)

    def results_uri(self, name: str = "") -> str:
        return self.uri(self.results_prefix, name)

    @property
    def catalog_path(self) -> Path:
        """The local catalog: a DuckDB database in the lake, one view per table."""
        return self.lake_dir / "_catalog" / f"{self.database}.duckdb"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["lake_dir"] = str(self.lake_dir)
        return d


_ENV_PREFIX = "MOVIES_"


def load_settings(
    params: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> Settings:
    """Build Settings from notebook/CLI parameters, then MOVIES_* environment variables, then defaults.

    Args:
        params: explicit values (a notebook's parameters cell, CLI flags); ``None`` values are
            ignored so that an unset flag falls through to the environment.
        env: the environment to read (``os.environ`` by default).

    Returns:
        A validated Settings.

    Examples:
        >>> load_settings({"backend": "local"}, env={"MOVIES_BUCKET": "my-bucket"}).bucket
        'my-bucket'
    """
    env = os.environ if env is None else env
    names = {f.name for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name in names:
        key = _ENV_PREFIX + name.upper()
        if env.get(key):
            values[name] = env[key]
    for name, value in (params or {}).items():
        key = name.lower()
        if key not in names:
            raise ConfigError(f"unknown setting {name!r}; known: {', '.join(sorted(names))}")
        if value is not None:
            values[key] = value
    return Settings(**values)

"""One place that makes boto3 sessions and clients, so that every AWS call can be observed."""

from __future__ import annotations

import boto3
import botocore.session

from movie_pipeline.config import Settings

# The active dry run (movie_pipeline.aws.dryrun.DryRun), if any: while it is set, every session
# made here records its calls and answers them itself, and nothing reaches AWS.
_dry_run = None


def set_dry_run(recorder) -> None:
    """Route every session made here through ``recorder`` (a DryRun), or back to AWS with None."""
    global _dry_run
    _dry_run = recorder


def is_dry_run() -> bool:
    """True while a dry run is active (waits and prompts can then be skipped)."""
    return _dry_run is not None


# botocore's data loader: the parsed JSON of the endpoints and of each service's model. A new
# Session loads its own copy (about 0.15 CPU s for three clients); the sessions made here share
# one, so a process parses each file once. Credentials stay each session's own.
_loader = None


def _botocore_session() -> botocore.session.Session:
    global _loader
    core = botocore.session.get_session()
    if _loader is None:
        _loader = core.get_component("data_loader")
    else:
        core.register_component("data_loader", _loader)
    return core


def boto3_session(settings: Settings) -> boto3.Session:
    """A boto3 Session in the configured region.

    Credentials come from the usual chain (environment, profile, instance role); the project
    never stores them. ``AWS_ENDPOINT_URL`` (honoured by botocore) points it at moto in tests.
    """
    if _dry_run is not None:
        return _dry_run.session(settings.region)
    return boto3.Session(region_name=settings.region, botocore_session=_botocore_session())


def client(settings: Settings, service: str, session: boto3.Session | None = None):
    """A client for ``service`` from ``session`` (or a new one for ``settings``)."""
    return (session or boto3_session(settings)).client(service)

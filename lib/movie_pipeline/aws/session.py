"""One place that makes boto3 sessions and clients, so that every AWS call can be observed."""

from __future__ import annotations

import boto3

from movie_pipeline.config import Settings


def boto3_session(settings: Settings) -> boto3.Session:
    """A boto3 Session in the configured region.

    Credentials come from the usual chain (environment, profile, instance role); the project
    never stores them. ``AWS_ENDPOINT_URL`` (honoured by botocore) points it at moto in tests.
    """
    return boto3.Session(region_name=settings.region)


def client(settings: Settings, service: str, session: boto3.Session | None = None):
    """A client for ``service`` from ``session`` (or a new one for ``settings``)."""
    return (session or boto3_session(settings)).client(service)

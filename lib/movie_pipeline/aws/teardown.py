"""List exactly what the project created on AWS, then delete it (and nothing else)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from movie_pipeline.aws import iam
from movie_pipeline.aws.session import boto3_session
from movie_pipeline.config import Settings
from movie_pipeline.errors import LakeLockedError
from movie_pipeline.glue import sessions
from movie_pipeline.lake.lock import S3_LOCK_KEY, LockOwner, S3LockStore, is_stale, lake_lock
from movie_pipeline.progress import say

# Names that are never ours to delete, whatever the settings say.
_PROTECTED_DATABASES = ("default",)
_PROTECTED_WORKGROUPS = ("primary",)


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _exists(call: Callable, *missing: str, **params) -> dict | None:
    """Call a Get/Head API; None if the thing is missing (one of the ``missing`` error codes)."""
    try:
        return call(**params)
    except ClientError as exc:
        if _code(exc) in missing:
            return None
        raise


@dataclass
class Inventory:
    """Everything of ours that exists, found by name, prefix or tag."""

    sessions: dict[str, str] = field(default_factory=dict)  # id -> status
    jobs: list[str] = field(default_factory=list)
    database: str | None = None
    tables: list[str] = field(default_factory=list)
    workgroup: str | None = None
    role: str | None = None
    role_policies: list[str] = field(default_factory=list)
    attached_to_role: list[str] = field(default_factory=list)
    analyst_policy: str | None = None
    analyst_policy_users: dict[str, list[str]] = field(default_factory=dict)
    bucket_statements: list[str] = field(default_factory=list)
    objects: dict[str, list[str]] = field(default_factory=dict)  # prefix -> keys
    bucket_is_ours: bool = False
    lock_holder: str | None = None  # a live run holding the lake lock: teardown refuses

    @property
    def empty(self) -> bool:
        return not self.lines()

    def lines(self) -> list[str]:
        """One line per thing to delete, for the user to read before saying yes."""
        out = [f"Glue session {sid} ({status})" for sid, status in self.sessions.items()]
        out += [f"Glue job {name}" for name in self.jobs]
        if self.database:
            out.append(f"Glue database {self.database} and its {len(self.tables)} tables: "
                       f"{', '.join(self.tables) or '-'}")  # fmt: skip
        if self.workgroup:
            out.append(f"Athena workgroup {self.workgroup} (and its saved queries)")
        if self.role:
            out.append(f"IAM role {self.role} with inline {self.role_policies} and attached "
                       f"{self.attached_to_role}")  # fmt: skip
        if self.analyst_policy:
            out.append(f"IAM policy {self.analyst_policy}, detached from "
                       f"{self.analyst_policy_users or 'nobody'}")  # fmt: skip
        if self.bucket_statements:
            out.append(f"bucket policy statements {', '.join(self.bucket_statements)}")
        for prefix, keys in self.objects.items():
            if keys:
                out.append(f"{len(keys)} objects under {prefix}/")
        if self.lock_holder:
            out.append(f"(the lake is in use: {self.lock_holder} holds its lock; teardown refuses "
                       "until that run ends)")  # fmt: skip
        if self.bucket_is_ours:
            out.append("the bucket itself (created by setup-aws), if nothing else is left in it")
        return out


def _paginate(client, operation: str, key: str, **params) -> list:
    pages = client.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page.get(key, [])]


def find_objects(s3, settings: Settings) -> dict[str, list[str]]:
    """The keys under each prefix the project writes (``iam.project_prefixes``: raw, cleaned,
    results, ..., reports and the lake lock's)."""
    found = {}
    for prefix in iam.project_prefixes(settings):
        listed = _paginate(
            s3, "list_objects_v2", "Contents", Bucket=settings.bucket, Prefix=f"{prefix}/"
        )
        found[prefix] = [o["Key"] for o in listed]
    return found


def live_lock_holder(s3, settings: Settings) -> str | None:
    """Who holds the lake lock, if a run that may still be going does (a dead one's is stale)."""
    found = S3LockStore(s3, settings.bucket).read()
    holder = LockOwner.from_bytes(found[0]) if found else None
    return None if is_stale(holder) else holder.describe()


def inventory(settings: Settings, session=None) -> Inventory:
    """Find what the project created: by our resource prefix, our names, our prefixes, our tag."""
    session = session or boto3_session(settings)
    glue, iam_client, s3 = (session.client(n) for n in ("glue", "iam", "s3"))
    prefix, inv = settings.resource_prefix, Inventory()
    inv.sessions = {s["Id"]: s.get("Status", "") for s in sessions.list_own_sessions(glue, prefix)}
    inv.jobs = [
        j["Name"] for j in _paginate(glue, "get_jobs", "Jobs") if j["Name"].startswith(f"{prefix}-")
    ]
    if settings.database not in _PROTECTED_DATABASES and _exists(
        glue.get_database, "EntityNotFoundException", Name=settings.database
    ):
        inv.database = settings.database
        tables = _paginate(glue, "get_tables", "TableList", DatabaseName=settings.database)
        inv.tables = [t["Name"] for t in tables]
    athena = session.client("athena")
    found = _exists(athena.get_work_group, "InvalidRequestException", WorkGroup=settings.workgroup)
    if settings.workgroup not in _PROTECTED_WORKGROUPS and found and found.get("WorkGroup"):
        inv.workgroup = settings.workgroup
    role = iam.role_name(settings)
    if _exists(iam_client.get_role, "NoSuchEntity", RoleName=role):
        inv.role = role
        inv.role_policies = iam_client.list_role_policies(RoleName=role)["PolicyNames"]
        attached = iam_client.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        inv.attached_to_role = [p["PolicyArn"] for p in attached]
    account = iam.account_id(session)
    arn = iam.analyst_policy_arn(settings, account)
    if _exists(iam_client.get_policy, "NoSuchEntity", PolicyArn=arn):
        inv.analyst_policy = arn
        entities = iam_client.list_entities_for_policy(PolicyArn=arn)
        attached = {
            "groups": [g["GroupName"] for g in entities.get("PolicyGroups", [])],
            "users": [u["UserName"] for u in entities.get("PolicyUsers", [])],
            "roles": [r["RoleName"] for r in entities.get("PolicyRoles", [])],
        }
        inv.analyst_policy_users = {kind: names for kind, names in attached.items() if names}
    if _exists(s3.head_bucket, "404", "NoSuchBucket", Bucket=settings.bucket) is None:
        return inv
    policy = _exists(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=settings.bucket)
    if policy:
        statements = json.loads(policy["Policy"]).get("Statement", [])
        inv.bucket_statements = [
            st["Sid"] for st in statements if st.get("Sid", "").startswith(iam.sid_prefix(settings))
        ]
    inv.objects = find_objects(s3, settings)
    if S3_LOCK_KEY in (k for keys in inv.objects.values() for k in keys):
        inv.lock_holder = live_lock_holder(s3, settings)
    tagging = _exists(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=settings.bucket)
    tag_set = {t["Key"]: t["Value"] for t in (tagging or {}).get("TagSet", [])}
    inv.bucket_is_ours = all(tag_set.get(k) == v for k, v in iam.tags(settings).items())
    return inv


def delete_objects(s3, bucket: str, keys: list[str]) -> None:
    """Delete keys in batches of 1000 (the API's limit); raise if S3 reports any failure."""
    for start in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[start : start + 1000]]
        failed = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        if failed.get("Errors"):
            raise RuntimeError(f"S3 could not delete: {failed['Errors'][:3]}")


def teardown(settings: Settings, inv: Inventory, session=None, out=say) -> None:
    """Delete exactly what ``inv`` lists (take it from ``inventory`` and show it first).

    The objects are deleted holding the lake lock, so that no run writes while they go; the
    lock's own object goes last, when it is released.

    Raises:
        LakeLockedError: a run held the lake lock (nothing is deleted), or took it meanwhile.
    """
    if inv.lock_holder:
        raise LakeLockedError(
            f"the lake is in use: {inv.lock_holder} holds s3://{settings.bucket}/{S3_LOCK_KEY}. "
            "Nothing was deleted; run teardown again when that run has ended."
        )
    session = session or boto3_session(settings)
    glue, iam_client, s3 = (session.client(n) for n in ("glue", "iam", "s3"))
    for sid, status in inv.sessions.items():
        sessions.stop_and_delete(glue, sid, status)
    for name in inv.jobs:
        glue.delete_job(JobName=name)
    if inv.database:
        for start in range(0, len(inv.tables), 100):
            glue.batch_delete_table(
                DatabaseName=inv.database, TablesToDelete=inv.tables[start : start + 100]
            )
        glue.delete_database(Name=inv.database)
    if inv.workgroup:
        session.client("athena").delete_work_group(
            WorkGroup=inv.workgroup, RecursiveDeleteOption=True
        )
    if inv.role:
        for name in inv.role_policies:
            iam_client.delete_role_policy(RoleName=inv.role, PolicyName=name)
        for arn in inv.attached_to_role:
            iam_client.detach_role_policy(RoleName=inv.role, PolicyArn=arn)
        iam_client.delete_role(RoleName=inv.role)
    if inv.analyst_policy:
        _delete_managed_policy(iam_client, inv.analyst_policy, inv.analyst_policy_users)
    if inv.bucket_statements:
        iam.put_bucket_statements(s3, settings, [])
    keys = [k for found in inv.objects.values() for k in found if k != S3_LOCK_KEY]
    if any(inv.objects.values()):
        store = S3LockStore(s3, settings.bucket)
        with lake_lock(settings, "teardown", store=store):  # released (deleted) on the way out
            delete_objects(s3, settings.bucket, keys)
    if inv.bucket_is_ours:
        left = s3.list_objects_v2(Bucket=settings.bucket, MaxKeys=1).get("KeyCount", 0)
        if left:
            out(f"bucket {settings.bucket} kept: it holds objects outside the project's prefixes")
        else:
            s3.delete_bucket(Bucket=settings.bucket)
    out(f"teardown done: {len(inv.lines())} items removed")


def _delete_managed_policy(iam_client, arn: str, users: dict[str, list[str]]) -> None:
    detach = {"groups": ("detach_group_policy", "GroupName"),
              "users": ("detach_user_policy", "UserName"),
              "roles": ("detach_role_policy", "RoleName")}  # fmt: skip
    for kind, names in users.items():
        method, param = detach[kind]
        for name in names:
            getattr(iam_client, method)(**{param: name, "PolicyArn": arn})
    for version in iam_client.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam_client.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam_client.delete_policy(PolicyArn=arn)

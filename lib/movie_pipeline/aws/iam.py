"""Least-privilege IAM, bucket policy and Athena workgroup, generated from Settings and set up idempotently."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from botocore.exceptions import ClientError

from movie_pipeline.aws.session import boto3_session, is_dry_run
from movie_pipeline.config import ConfigError, Settings
from movie_pipeline.etl.reconcile import REPORTS_PREFIX
from movie_pipeline.progress import say

VERSION = "2012-10-17"
# Athena refuses a per-query cut-off below 10 MB.
MIN_BYTES_SCANNED_CUTOFF = 10_000_000
# A new role takes a few seconds to be assumable by Glue (IAM is eventually consistent).
IAM_PROPAGATION_SECONDS = 10


# Names: every resource the project creates carries the resource prefix, so that teardown can
# find exactly ours and nothing else.
def tags(settings: Settings) -> dict[str, str]:
    """The tags put on everything the project creates: ``{"project": <resource_prefix>}``."""
    return {"project": settings.resource_prefix}


def role_name(settings: Settings) -> str:
    return f"{settings.resource_prefix}-glue"


def glue_policy_name(settings: Settings) -> str:
    return f"{settings.resource_prefix}-glue-access"


def analyst_policy_name(settings: Settings) -> str:
    return f"{settings.resource_prefix}-analyst"


def operator_policy_name(settings: Settings) -> str:
    return f"{settings.resource_prefix}-operator"


def sid_prefix(settings: Settings) -> str:
    """Statement ids in a shared bucket policy must be alphanumeric: ``MoviePipeline``."""
    return "".join(part.capitalize() for part in settings.resource_prefix.split("-"))


def partition(region: str) -> str:
    """The ARN partition of a region: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def role_arn(settings: Settings, account_id: str) -> str:
    return f"arn:{partition(settings.region)}:iam::{account_id}:role/{role_name(settings)}"


def analyst_policy_arn(settings: Settings, account_id: str) -> str:
    p = partition(settings.region)
    return f"arn:{p}:iam::{account_id}:policy/{analyst_policy_name(settings)}"


def account_id(session=None, settings: Settings | None = None) -> str:
    """The account of the current credentials (``sts:GetCallerIdentity`` needs no permission)."""
    session = session or boto3_session(settings or Settings(backend="aws"))
    return session.client("sts").get_caller_identity()["Account"]


# Prefixes: one list, so that the policies and teardown cannot miss one ---------------------
def project_prefixes(settings: Settings) -> tuple[str, ...]:
    """Every prefix the project writes in the bucket: teardown empties each, the policies name them.

    The six settings, plus ``reports/`` (the ETL's reconciliation report) and ``_locks/`` (the
    lake lock a run holds on the aws backend).
    """
    from movie_pipeline.lake.lock import S3_LOCK_KEY  # here: the lock needs psutil, Glue lacks it

    s = settings
    return (s.raw_prefix, s.cleaned_prefix, s.quarantine_prefix, s.results_prefix,
            s.artifacts_prefix, s.temp_prefix, REPORTS_PREFIX, S3_LOCK_KEY.split("/")[0])  # fmt: skip


def glue_written_prefixes(settings: Settings) -> tuple[str, ...]:
    """What the Glue job writes: the tables, the quarantine, its staging and Spark's temporary
    files (temp prefix), the reconciliation report. Not raw/, artifacts/, results/ or the lock
    (the operator's client holds the lake lock around the job run)."""
    s = settings
    return (s.cleaned_prefix, s.quarantine_prefix, s.temp_prefix, REPORTS_PREFIX)


# Policy documents ---------------------------------------------------------------------------
def _s3(settings: Settings, *path: str) -> str:
    tail = "/".join(path)
    base = f"arn:{partition(settings.region)}:s3:::{settings.bucket}"
    return f"{base}/{tail}" if tail else base


def _list_prefixes(*prefixes: str) -> dict:
    # ListBucket is a bucket-level action: the s3:prefix condition is what scopes it.
    return {"StringLike": {"s3:prefix": [p for x in prefixes for p in (x, f"{x}/*")]}}


def _glue(settings: Settings, account: str, resource: str) -> str:
    return f"arn:{partition(settings.region)}:glue:{settings.region}:{account}:{resource}"


def _catalog(settings: Settings, account: str) -> list[str]:
    db = settings.database
    return [_glue(settings, account, r) for r in ("catalog", f"database/{db}", f"table/{db}/*")]


def _statement(sid: str, actions: list[str], resources: list[str], **extra) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def glue_trust_policy(account: str) -> dict:
    """Who may assume the Glue role: the Glue service, for this account only (confused deputy)."""
    return {
        "Version": VERSION,
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "glue.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }],
    }  # fmt: skip


def glue_role_policy(settings: Settings, account: str) -> dict:
    """What the Glue job and interactive sessions may do: read raw/, write the ETL's outputs.

    Exactly the prefixes the job writes (:func:`glue_written_prefixes`), and nothing in the
    Data Catalog: the job and the sessions read and write S3 paths, without
    ``--enable-glue-datacatalog``, and the operator's client registers the tables after the job
    has succeeded.

    Args:
        settings: bucket, prefixes, database and region.
        account: the AWS account id (Glue catalog and log ARNs need it).

    Returns:
        An IAM policy document (a dict, ready for ``json.dumps``).
    """
    s, region = settings, settings.region
    logs = f"arn:{partition(region)}:logs:{region}:{account}:log-group:/aws-glue/*"
    written = glue_written_prefixes(s)
    return {
        "Version": VERSION,
        "Statement": [
            _statement("ListOwnPrefixes", ["s3:ListBucket"], [_s3(s)],
                       Condition=_list_prefixes(s.raw_prefix, s.artifacts_prefix, *written)),
            _statement("BucketLocation", ["s3:GetBucketLocation"], [_s3(s)]),
            _statement("ReadRawAndArtifacts", ["s3:GetObject"],
                       [_s3(s, s.raw_prefix, "*"), _s3(s, s.artifacts_prefix, "*")]),
            _statement("WriteOwnOutputs",
                       ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                       [_s3(s, p, "*") for p in written]),
            _statement("OwnLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                       [logs, f"{logs}:log-stream:*"]),
            # PutMetricData has no resource-level permissions: a namespace condition scopes it.
            _statement("GlueMetrics", ["cloudwatch:PutMetricData"], ["*"],
                       Condition={"StringEquals": {"cloudwatch:namespace": "Glue"}}),
        ],
    }  # fmt: skip


def analyst_policy(settings: Settings, account: str) -> dict:
    """What an analyst needs for Athena: read cleaned/ and the catalog, write results/, one workgroup."""
    s, region = settings, settings.region
    workgroup = f"arn:{partition(region)}:athena:{region}:{account}:workgroup/{s.workgroup}"
    athena = ["StartQueryExecution", "StopQueryExecution", "GetQueryExecution", "GetQueryResults",
              "BatchGetQueryExecution", "ListQueryExecutions", "GetQueryRuntimeStatistics",
              "GetWorkGroup"]  # fmt: skip
    catalog = ["GetDatabase", "GetDatabases", "GetTable", "GetTables", "GetPartition",
               "GetPartitions", "BatchGetPartition"]  # fmt: skip
    return {
        "Version": VERSION,
        "Statement": [
            _statement("UseWorkgroup", [f"athena:{a}" for a in athena], [workgroup]),
            _statement("ReadCatalog", [f"glue:{a}" for a in catalog], _catalog(s, account)),
            _statement("ListCleanedAndResults", ["s3:ListBucket"], [_s3(s)],
                       Condition=_list_prefixes(s.cleaned_prefix, s.results_prefix)),
            _statement("BucketForAthena", ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
                       [_s3(s)]),
            _statement("ReadCleaned", ["s3:GetObject"], [_s3(s, s.cleaned_prefix, "*")]),
            _statement("WriteResults",
                       ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts"],
                       [_s3(s, s.results_prefix, "*")]),
        ],
    }  # fmt: skip


def operator_policy(settings: Settings, account: str) -> dict:
    """What the person who runs ``setup-aws``, ``run``, ``deploy`` and ``teardown`` needs.

    Generated, never attached by the project: an administrator applies it (docs/aws.md). It
    allows passing the Glue role to Glue only; the project's job and sessions; the catalog
    writes of ``catalog`` (this database, its tables and partitions); the bucket and the
    project's prefixes in it; the Athena workgroup; and the IAM calls ``setup-aws`` and
    ``teardown`` make on the project's own role and analyst policy, nothing else in IAM.
    """
    s, p, region = settings, partition(settings.region), settings.region
    prefix = s.resource_prefix
    role, analyst = role_arn(s, account), analyst_policy_arn(s, account)
    workgroup = f"arn:{p}:athena:{region}:{account}:workgroup/{s.workgroup}"
    role_actions = ["GetRole", "CreateRole", "TagRole", "UpdateAssumeRolePolicy", "PutRolePolicy",
                    "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies",
                    "ListAttachedRolePolicies", "DetachRolePolicy", "DeleteRole"]  # fmt: skip
    policy_actions = ["GetPolicy", "CreatePolicy", "TagPolicy", "GetPolicyVersion",
                      "CreatePolicyVersion", "DeletePolicyVersion", "ListPolicyVersions",
                      "ListEntitiesForPolicy", "DeletePolicy"]  # fmt: skip
    job_actions = ["GetJob", "CreateJob", "UpdateJob", "DeleteJob", "StartJobRun", "GetJobRun",
                   "GetJobRuns", "BatchStopJobRun", "GetJobBookmark", "ResetJobBookmark",
                   "TagResource"]  # fmt: skip
    session_actions = ["CreateSession", "GetSession", "StopSession", "DeleteSession",
                       "RunStatement", "GetStatement", "ListStatements", "CancelStatement",
                       "TagResource"]  # fmt: skip
    catalog_actions = ["GetDatabase", "CreateDatabase", "UpdateDatabase", "DeleteDatabase",
                       "GetTable", "GetTables", "CreateTable", "UpdateTable", "DeleteTable",
                       "BatchDeleteTable", "GetPartition", "GetPartitions", "BatchGetPartition",
                       "CreatePartition", "BatchCreatePartition", "UpdatePartition",
                       "DeletePartition", "BatchDeletePartition"]  # fmt: skip
    athena_actions = ["GetWorkGroup", "CreateWorkGroup", "UpdateWorkGroup", "DeleteWorkGroup",
                      "TagResource", "StartQueryExecution", "StopQueryExecution",
                      "GetQueryExecution", "GetQueryResults", "BatchGetQueryExecution",
                      "ListQueryExecutions", "GetQueryRuntimeStatistics"]  # fmt: skip
    bucket_actions = ["CreateBucket", "DeleteBucket", "ListBucket", "GetBucketLocation",
                      "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
                      "GetEncryptionConfiguration", "PutEncryptionConfiguration",
                      "GetBucketTagging", "PutBucketTagging", "GetBucketPublicAccessBlock",
                      "PutBucketPublicAccessBlock", "ListBucketMultipartUploads"]  # fmt: skip
    iam_arn = f"arn:{p}:iam::{account}"
    return {
        "Version": VERSION,
        "Statement": [
            _statement("PassGlueRoleToGlue", ["iam:PassRole"], [role],
                       Condition={"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}),
            _statement("OwnGlueRole", [f"iam:{a}" for a in role_actions], [role]),
            _statement("OwnAnalystPolicy", [f"iam:{a}" for a in policy_actions], [analyst]),
            # Teardown detaches the analyst policy from whoever it was attached to, and only it.
            _statement("DetachAnalystPolicy",
                       ["iam:DetachUserPolicy", "iam:DetachGroupPolicy", "iam:DetachRolePolicy"],
                       [f"{iam_arn}:user/*", f"{iam_arn}:group/*", f"{iam_arn}:role/*"],
                       Condition={"ArnEquals": {"iam:PolicyARN": analyst}}),
            _statement("OwnGlueJobs", [f"glue:{a}" for a in job_actions],
                       [_glue(s, account, f"job/{prefix}-*")]),
            _statement("OwnGlueSessions", [f"glue:{a}" for a in session_actions],
                       [_glue(s, account, f"session/{prefix}-*")]),
            # Listing jobs and sessions has no resource-level permissions; teardown and the
            # session driver keep only the names with our prefix.
            _statement("ListGlueJobsAndSessions", ["glue:GetJobs", "glue:ListSessions"], ["*"]),
            _statement("CatalogOfTheDatabase", [f"glue:{a}" for a in catalog_actions],
                       [*_catalog(s, account),
                        _glue(s, account, f"userDefinedFunction/{s.database}/*")]),
            _statement("Workgroup", [f"athena:{a}" for a in athena_actions], [workgroup]),
            _statement("TheBucket", [f"s3:{a}" for a in bucket_actions], [_s3(s)]),
            _statement("TheProjectsPrefixes",
                       ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts"],
                       [_s3(s, x, "*") for x in project_prefixes(s)]),
        ],
    }  # fmt: skip


def bucket_policy_statements(settings: Settings) -> list[dict]:
    """Our statements for the bucket policy: TLS only, and no upload asking for weaker encryption.

    Uploads that send no encryption header are allowed: the bucket's default encryption
    (SSE-S3, set by ``setup_aws``) encrypts them, and Spark, Athena and awswrangler send none.
    """
    sid, objects = sid_prefix(settings), _s3(settings, "*")
    header = "s3:x-amz-server-side-encryption"
    return [
        {"Sid": f"{sid}DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
         "Action": "s3:*", "Resource": [_s3(settings), objects],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": f"{sid}DenyOtherEncryption", "Effect": "Deny", "Principal": "*",
         "Action": "s3:PutObject", "Resource": [objects],
         "Condition": {"StringNotEquals": {header: ["AES256", "aws:kms", "aws:kms:dsse"]},
                       "Null": {header: "false"}}},
    ]  # fmt: skip


def workgroup_configuration(settings: Settings) -> dict:
    """The Athena workgroup: enforced result location and encryption, and a scan cut-off per query."""
    cutoff = int(settings.bytes_scanned_cutoff)
    if cutoff < MIN_BYTES_SCANNED_CUTOFF:
        raise ConfigError(f"bytes_scanned_cutoff {cutoff} is below Athena's minimum of 10 MB")
    return {
        "ResultConfiguration": {
            "OutputLocation": f"s3://{settings.bucket}/{settings.results_prefix}/",
            "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
        },
        "EnforceWorkGroupConfiguration": True,
        "PublishCloudWatchMetricsEnabled": True,
        "BytesScannedCutoffPerQuery": cutoff,
        "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
    }


def policy_documents(settings: Settings, account: str) -> dict[str, dict]:
    """Every document ``setup_aws`` applies, and the operator's, by name (notebook 00 shows them).

    The operator's policy is the one ``setup_aws`` does not apply: an administrator does.
    """
    return {
        f"{role_name(settings)} (trust)": glue_trust_policy(account),
        glue_policy_name(settings): glue_role_policy(settings, account),
        analyst_policy_name(settings): analyst_policy(settings, account),
        operator_policy_name(settings): operator_policy(settings, account),
        f"{settings.bucket} bucket policy": {"Version": VERSION,
                                             "Statement": bucket_policy_statements(settings)},
    }  # fmt: skip


def wildcard_problems(document: dict) -> list[str]:
    """List the statements that allow a wildcard action on every resource.

    A statement is rejected when its Action (or any NotAction) has a ``*`` in it (``*``,
    ``s3:*``, ``s3:Get*``) and its Resource is ``*`` (or it uses NotResource).

    Returns:
        One message per offending statement; empty when the document passes.
    """
    problems = []
    statements = document.get("Statement", [])
    for i, st in enumerate([statements] if isinstance(statements, dict) else statements):
        actions = st.get("Action", st.get("NotAction", []))
        actions = [actions] if isinstance(actions, str) else actions
        resources = st.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        everything = "*" in resources or "NotResource" in st
        broad = [a for a in actions if "*" in a] or (["NotAction"] if "NotAction" in st else [])
        if everything and broad:
            problems.append(f"statement {st.get('Sid', i)}: {', '.join(broad)} on every resource")
    return problems


def check_policies(documents: dict[str, dict]) -> None:
    """Raise ConfigError if any document allows a wildcard action on every resource."""
    problems = [f"{name}: {p}" for name, doc in documents.items() for p in wildcard_problems(doc)]
    if problems:
        raise ConfigError("policy too broad: " + "; ".join(problems))


# Idempotent set-up --------------------------------------------------------------------------
def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


@dataclass
class SetupReport:
    """What ``setup_aws`` found and did."""

    account: str
    role_arn: str
    analyst_policy_arn: str
    workgroup: str
    actions: list[str] = field(default_factory=list)


def ensure_bucket(s3, settings: Settings, report: SetupReport) -> None:
    """Create the bucket if missing (tagged, private); give it default encryption and our policy."""
    bucket = settings.bucket
    try:
        s3.head_bucket(Bucket=bucket)
        created = False
    except ClientError as exc:
        if _code(exc) not in ("404", "NoSuchBucket"):
            raise
        extra = (
            {}
            if settings.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": settings.region}}
        )
        s3.create_bucket(Bucket=bucket, **extra)
        s3.put_bucket_tagging(
            Bucket=bucket,
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags(settings).items()]},
        )
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        report.actions.append(f"created bucket {bucket} (private, tagged)")
        created = True
    # A bucket that already has default encryption keeps it (it may use the owner's KMS key).
    try:
        has_encryption = bool(s3.get_bucket_encryption(Bucket=bucket))
    except ClientError as exc:
        if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        has_encryption = False
    if created or not has_encryption:
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        report.actions.append(f"set default encryption SSE-S3 on {bucket}")
    put_bucket_statements(s3, settings, bucket_policy_statements(settings))
    report.actions.append(f"bucket policy of {bucket}: TLS only, no weaker encryption")


def put_bucket_statements(s3, settings: Settings, ours: list[dict]) -> None:
    """Replace our statements in the bucket policy, keeping everyone else's."""
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=settings.bucket)["Policy"])
    except ClientError as exc:
        if _code(exc) != "NoSuchBucketPolicy":
            raise
        policy = {"Version": VERSION, "Statement": []}
    prefix = sid_prefix(settings)
    kept = [st for st in policy.get("Statement", []) if not st.get("Sid", "").startswith(prefix)]
    statements = kept + ours
    if statements:
        policy["Statement"] = statements
        s3.put_bucket_policy(Bucket=settings.bucket, Policy=json.dumps(policy))
    else:
        s3.delete_bucket_policy(Bucket=settings.bucket)


def ensure_glue_role(iam, settings: Settings, account: str, report: SetupReport) -> None:
    """Create or update the Glue role and its inline policy (a new one: see wait_for_role)."""
    name, trust = role_name(settings), glue_trust_policy(account)
    try:
        current = iam.get_role(RoleName=name)["Role"]
        if current.get("AssumeRolePolicyDocument") != trust:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
            report.actions.append(f"updated the trust policy of role {name}")
    except ClientError as exc:
        if _code(exc) != "NoSuchEntity":
            raise
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Description="AWS Glue job and interactive sessions of the movie pipeline",
            Tags=[{"Key": k, "Value": v} for k, v in tags(settings).items()],
        )
        report.actions.append(f"created role {name}")
    iam.put_role_policy(
        RoleName=name,
        PolicyName=glue_policy_name(settings),
        PolicyDocument=json.dumps(glue_role_policy(settings, account)),
    )
    report.actions.append(f"put inline policy {glue_policy_name(settings)} on {name}")


def ensure_analyst_policy(iam, settings: Settings, account: str, report: SetupReport) -> None:
    """Create the analyst managed policy, or add a new default version when the document changed."""
    arn, doc = analyst_policy_arn(settings, account), analyst_policy(settings, account)
    try:
        default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    except ClientError as exc:
        if _code(exc) != "NoSuchEntity":
            raise
        iam.create_policy(
            PolicyName=analyst_policy_name(settings),
            PolicyDocument=json.dumps(doc),
            Description="Athena analyst: read cleaned/, write results/, one workgroup",
            Tags=[{"Key": k, "Value": v} for k, v in tags(settings).items()],
        )
        report.actions.append(f"created managed policy {analyst_policy_name(settings)}")
        return
    version = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
    if version["Document"] == doc:
        report.actions.append(f"managed policy {analyst_policy_name(settings)} is up to date")
        return
    # IAM keeps at most five versions: drop the oldest non-default one to make room.
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    old = sorted((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
    if len(versions) >= 5 and old:
        iam.delete_policy_version(PolicyArn=arn, VersionId=old[0]["VersionId"])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc), SetAsDefault=True)
    report.actions.append(f"updated managed policy {analyst_policy_name(settings)}")


def _same_workgroup(current: dict, wanted: dict) -> bool:
    # Compare what we set only: AWS adds fields of its own (EffectiveEngineVersion, ...).
    result, want = current.get("ResultConfiguration", {}), wanted["ResultConfiguration"]
    keys = ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled",
            "BytesScannedCutoffPerQuery")  # fmt: skip
    return (
        result.get("OutputLocation") == want["OutputLocation"]
        and result.get("EncryptionConfiguration") == want["EncryptionConfiguration"]
        and all(current.get(k) == wanted[k] for k in keys)
        and current.get("EngineVersion", {}).get("SelectedEngineVersion")
        == wanted["EngineVersion"]["SelectedEngineVersion"]
    )


def ensure_workgroup(athena, settings: Settings, report: SetupReport) -> None:
    """Create the Athena workgroup, or bring an existing one back to our configuration."""
    config = workgroup_configuration(settings)
    try:
        found = athena.get_work_group(WorkGroup=settings.workgroup).get("WorkGroup")
    except ClientError as exc:
        if _code(exc) != "InvalidRequestException":
            raise
        found = None
    if found is None:
        athena.create_work_group(
            Name=settings.workgroup,
            Configuration=config,
            Description="Movie pipeline analysis: enforced results location, encryption, scan limit",
            Tags=[{"Key": k, "Value": v} for k, v in tags(settings).items()],
        )
        report.actions.append(f"created Athena workgroup {settings.workgroup}")
        return
    if _same_workgroup(found.get("Configuration", {}), config):
        report.actions.append(f"Athena workgroup {settings.workgroup} is up to date")
        return
    athena.update_work_group(WorkGroup=settings.workgroup, ConfigurationUpdates={
        "EnforceWorkGroupConfiguration": True,
        "ResultConfigurationUpdates": config["ResultConfiguration"],
        "PublishCloudWatchMetricsEnabled": True,
        "BytesScannedCutoffPerQuery": config["BytesScannedCutoffPerQuery"],
        "EngineVersion": config["EngineVersion"],
    })  # fmt: skip
    report.actions.append(f"updated Athena workgroup {settings.workgroup}")


def report_operator_policy(settings: Settings, account: str, report: SetupReport) -> None:
    """Say where the operator's policy is: printed in a dry run (which needs no permission, so
    an administrator can run it before granting any), never attached to anyone."""
    name = operator_policy_name(settings)
    if is_dry_run():
        document = json.dumps(operator_policy(settings, account), indent=2)
        say(f"operator policy {name} (an administrator applies it; put your account id in "
            f"place of {account}):\n{document}")  # fmt: skip
    report.actions.append(f"operator policy {name}: not applied by setup-aws; "
                          "`movie-pipeline setup-aws --dry-run` prints it for an administrator")  # fmt: skip


def wait_for_role(session, settings: Settings, sleep=time.sleep, out=say) -> float:
    """Wait until the Glue role is old enough for Glue to assume it; return the seconds waited.

    IAM is eventually consistent: a role used within seconds of its creation can be refused.
    Only the rest of :data:`IAM_PROPAGATION_SECONDS` since the role's ``CreateDate`` is waited,
    measured on IAM's own clock (the response's ``Date``), so ``setup-aws`` returns at once and a
    role made minutes before costs nothing. Called just before Glue is given the role (a new
    interactive session, a job run). A missing role or a caller not allowed ``iam:GetRole``
    waits for nothing: Glue then reports the problem itself.
    """
    try:
        response = session.client("iam").get_role(RoleName=role_name(settings))
    except ClientError as exc:
        if _code(exc) in ("NoSuchEntity", "AccessDenied", "AccessDeniedException"):
            return 0.0
        raise
    created = response["Role"].get("CreateDate")
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if created is None or is_dry_run():
        return 0.0
    now = parsedate_to_datetime(date) if date else datetime.now(UTC)
    wait = min(IAM_PROPAGATION_SECONDS, IAM_PROPAGATION_SECONDS - (now - created).total_seconds())
    if wait <= 0:
        return 0.0
    out(f"waiting {wait:.0f} s for the new role {role_name(settings)} to propagate in IAM")
    sleep(wait)
    return wait


def setup_aws(settings: Settings, session=None) -> SetupReport:
    """Set up everything the pipeline needs on AWS, idempotently (run it as often as you like).

    Checks every policy document first (no wildcard action on every resource), then ensures
    the bucket (default encryption, TLS-only policy), the Glue role and its inline policy, the
    analyst managed policy (not attached to anyone: attach it to your analysts) and the Athena
    workgroup. The operator's policy is not applied: a dry run prints it for an administrator.

    Args:
        settings: what to create and where.
        session: a boto3 Session (default: ``aws.session.boto3_session``).

    Returns:
        A SetupReport listing the ARNs and every action taken. A new role is given time to
        propagate where it is first used (:func:`wait_for_role`), not here.
    """
    session = session or boto3_session(settings)
    account = account_id(session)
    check_policies(policy_documents(settings, account))
    report = SetupReport(account, role_arn(settings, account),
                         analyst_policy_arn(settings, account), settings.workgroup)  # fmt: skip
    ensure_bucket(session.client("s3"), settings, report)
    iam = session.client("iam")
    ensure_glue_role(iam, settings, account, report)
    ensure_analyst_policy(iam, settings, account, report)
    ensure_workgroup(session.client("athena"), settings, report)
    report_operator_policy(settings, account, report)
    return report


def policy_summary(documents: dict[str, dict]):
    """One row per statement of each policy document: what it allows, on what.

    Args:
        documents: ``{policy name: document}``, as ``aws.iam.policy_documents`` returns them.

    Returns:
        A DataFrame: policy, sid, effect, actions, resources.
    """
    import pandas as pd

    def listed(value) -> str:
        values = [value] if isinstance(value, str | dict) else list(value or [])
        return ", ".join(json.dumps(v) if isinstance(v, dict) else str(v) for v in values)

    rows = []
    for name, doc in documents.items():
        statements = doc.get("Statement", [])
        for st in [statements] if isinstance(statements, dict) else statements:
            rows.append((
                name, st.get("Sid", ""), st.get("Effect", ""),
                listed(st.get("Action", st.get("NotAction"))),
                listed(st.get("Resource", st.get("Principal"))),
            ))  # fmt: skip
    return pd.DataFrame(rows, columns=["policy", "sid", "effect", "actions", "resources"])

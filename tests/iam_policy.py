"""An IAM policy evaluator with AWS's documented semantics, and the IAM requests an API call makes.

moto does not evaluate IAM policies, so a policy that forgets a prefix passes every moto test and
fails on AWS with AccessDenied. This module is the missing strictness. It follows the IAM User
Guide's "Policy evaluation logic" for identity-based and resource-based policies of one account:

* an explicit Deny in any statement wins; else an Allow in any statement; else denied (default);
* ``Action``/``NotAction`` match case-insensitively, ``Resource``/``NotResource``
  case-sensitively, both with the wildcards ``*`` (any run of characters) and ``?`` (one);
* ``Condition``: operators AND'd, keys within an operator AND'd, the values of a key OR'd (NOR'd
  for a negated operator); a key absent from the request makes a condition false, except for
  negated operators (true), ``...IfExists`` (true) and ``Null``;
* ``ArnLike``/``ArnEquals`` match each of the six colon-separated parts of an ARN on its own.

Anything it cannot evaluate (policy variables, ``NotPrincipal``, an unknown operator or element)
raises instead of guessing. Permission boundaries, SCPs and session policies are out of scope.

The second half maps a boto3 call (service, operation, parameters) to the IAM requests AWS
authorizes for it: the action is the operation's name behind the service's signing name, except
where the Service Authorization Reference says otherwise (``HeadObject`` is ``s3:GetObject``,
``ListObjectsV2`` is ``s3:ListBucket`` with ``s3:prefix``, a ``Role`` parameter is also an
``iam:PassRole``, ``Tags`` on a create is also a tagging action).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

ALLOW, EXPLICIT_DENY, IMPLICIT_DENY = "allow", "explicit deny", "implicit deny"

_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                   "Resource", "NotResource", "Condition"}  # fmt: skip
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals",
            "ArnNotLike", "NumericNotEquals"}  # fmt: skip


@dataclass(frozen=True)
class Request:
    """One authorization request: an action on a resource, with its request context.

    ``context`` maps condition keys (``s3:prefix``, ``aws:SecureTransport``) to a value or a
    list of values; a key that is not in it is absent from the request.
    """

    action: str
    resource: str
    context: dict = field(default_factory=dict, hash=False)
    principal: str = "arn:aws:iam::123456789012:role/caller"

    def __str__(self) -> str:
        extra = f" {self.context}" if self.context else ""
        return f"{self.action} on {self.resource}{extra}"


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern:
    if "${" in pattern:
        raise NotImplementedError(f"policy variables are not evaluated: {pattern!r}")
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (``/`` and ``:`` included), ``?`` exactly one."""
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, arn: str) -> bool:
    """ArnLike: the six colon-separated parts matched one by one, each with wildcards."""
    want, got = pattern.split(":", 5), arn.split(":", 5)
    if len(want) != 6 or len(got) != 6:
        return False
    return all(wildcard_match(w, g) for w, g in zip(want, got, strict=True))


def _number(value) -> float:
    return float(value)


_MATCHERS = {
    "StringEquals": lambda want, got: want == got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringLike": lambda want, got: wildcard_match(want, got),
    "ArnEquals": arn_match,
    "ArnLike": arn_match,
    "Bool": lambda want, got: want.lower() == got.lower(),
    "NumericEquals": lambda want, got: _number(got) == _number(want),
    "NumericLessThan": lambda want, got: _number(got) < _number(want),
    "NumericLessThanEquals": lambda want, got: _number(got) <= _number(want),
    "NumericGreaterThan": lambda want, got: _number(got) > _number(want),
    "NumericGreaterThanEquals": lambda want, got: _number(got) >= _number(want),
}
_POSITIVE_OF = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase":
                "StringEqualsIgnoreCase", "StringNotLike": "StringLike",
                "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike",
                "NumericNotEquals": "NumericEquals"}  # fmt: skip


def _lookup(context: dict, key: str):
    # Condition key names are case-insensitive; their values are not.
    for k, v in context.items():
        if k.lower() == key.lower():
            return v
    return None


def condition_holds(operator: str, key: str, values, context: dict) -> bool:
    """One operator on one key: the key's values OR'd (NOR'd for a negated operator)."""
    wanted = [_text(v) for v in _as_list(values)]
    got = _lookup(context, key)
    if operator == "Null":
        if len(wanted) != 1 or wanted[0].lower() not in ("true", "false"):
            raise ValueError(f"Null takes true or false, not {values!r}")
        return (got is None) == (wanted[0].lower() == "true")
    qualifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    negated = base in _NEGATED
    matcher = _MATCHERS.get(_POSITIVE_OF.get(base, base))
    if matcher is None:
        raise NotImplementedError(f"condition operator {operator!r} is not evaluated")
    if got is None:
        if qualifier == "ForAllValues":
            return True  # vacuously: no value fails
        return if_exists or (negated and not qualifier)
    got_values = [_text(g) for g in _as_list(got)]
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise NotImplementedError(f"set operator {qualifier!r} is not evaluated")
    if not qualifier and len(got_values) != 1:
        raise ValueError(
            f"{key} has several values: qualify {operator} with ForAnyValue/ForAllValues"
        )

    def one(value: str) -> bool:
        hit = any(matcher(w, value) for w in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in got_values)
    return any(one(v) for v in got_values)


def conditions_hold(condition: dict, context: dict) -> bool:
    """Every operator and every key of a Condition block (logical AND)."""
    return all(
        condition_holds(operator, key, values, context)
        for operator, keys in condition.items()
        for key, values in keys.items()
    )


def _principal_matches(principal, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        raise ValueError(f"Principal must be '*' or a map, not {principal!r}")
    for kind, names in principal.items():
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise ValueError(f"unknown principal type {kind!r}")
        for name in _as_list(names):
            account = re.fullmatch(r"(?:arn:[^:]+:iam::)?(\d{12})(?::root)?", name)
            caller_account = caller.split(":")[4] if caller.count(":") >= 5 else None
            if name in ("*", caller) or (account and account.group(1) == caller_account):
                return True
    return False


def statement_applies(statement: dict, request: Request) -> bool:
    """True when the statement's principal, action, resource and conditions all match."""
    unknown = set(statement) - _STATEMENT_KEYS
    if unknown:
        raise ValueError(f"unknown statement elements {sorted(unknown)}")
    if "NotPrincipal" in statement:
        raise NotImplementedError("NotPrincipal is not evaluated")
    if ("Action" in statement) == ("NotAction" in statement):
        raise ValueError(f"a statement needs exactly one of Action, NotAction: {statement}")
    if ("Resource" in statement) == ("NotResource" in statement):
        raise ValueError(f"a statement needs exactly one of Resource, NotResource: {statement}")
    if "Principal" in statement and not _principal_matches(
        statement["Principal"], request.principal
    ):
        return False
    if "Action" in statement:
        if not any(wildcard_match(a, request.action, True) for a in _as_list(statement["Action"])):
            return False
    elif any(wildcard_match(a, request.action, True) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(wildcard_match(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif any(wildcard_match(r, request.resource) for r in _as_list(statement["NotResource"])):
        return False
    return conditions_hold(statement.get("Condition", {}), request.context)


def _statements(document: dict) -> list[dict]:
    if document.get("Version", "2012-10-17") not in ("2012-10-17", "2008-10-17"):
        raise ValueError(f"unknown policy version {document.get('Version')!r}")
    statements = document["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def evaluate(documents: Iterable[dict], request: Request) -> tuple[str, list[str]]:
    """The decision on ``request`` under every document together (one account's policies).

    Returns:
        ``(decision, sids)``: ``allow``, ``explicit deny`` or ``implicit deny``, and the Sids
        (or positions) of the statements that decided it.
    """
    allows, denies = [], []
    for d, document in enumerate(documents):
        for s, statement in enumerate(_statements(document)):
            if statement.get("Effect") not in ("Allow", "Deny"):
                raise ValueError(f"Effect must be Allow or Deny: {statement}")
            if statement_applies(statement, request):
                name = statement.get("Sid", f"#{d}.{s}")
                (allows if statement["Effect"] == "Allow" else denies).append(name)
    if denies:
        return EXPLICIT_DENY, denies
    return (ALLOW, allows) if allows else (IMPLICIT_DENY, [])


def is_allowed(documents: Iterable[dict], request: Request) -> bool:
    return evaluate(documents, request)[0] == ALLOW


def denied(documents: list[dict], requests: Iterable[Request]) -> list[str]:
    """The requests that are not allowed, one line each (empty when every one is)."""
    out = []
    for r in requests:
        decision, sids = evaluate(documents, r)
        if decision != ALLOW:
            out.append(f"{r}: {decision}{' by ' + ', '.join(sids) if sids else ''}")
    return out


# What AWS authorizes for an API call --------------------------------------------------------
@dataclass(frozen=True)
class Account:
    """Where ARNs point: partition, region, account id; the workgroup Athena queries run in."""

    account: str
    region: str = "us-east-1"
    partition: str = "aws"
    workgroup: str = "primary"

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        where = f"{self.region}:{self.account}" if region else f":{self.account}"
        return f"arn:{self.partition}:{service}:{where}:{resource}"


@cache
def _operation_names(service: str) -> dict[str, str]:
    """boto3's snake_case names -> the API's operation names, from botocore's service model."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


@cache
def signing_name(service: str) -> str:
    """The IAM service prefix of a boto3 service (its SigV4 signing name)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service).signing_name


# S3 operations whose IAM action is not ``s3:<Operation>`` (Service Authorization Reference).
_S3_ACTIONS = {
    "HeadBucket": "ListBucket", "ListObjects": "ListBucket", "ListObjectsV2": "ListBucket",
    "HeadObject": "GetObject", "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject", "DeleteObjects": "DeleteObject",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "ListBuckets": "ListAllMyBuckets", "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
}  # fmt: skip
# Operations that need no permission at all.
_FREE = {("sts", "GetCallerIdentity")}
# Operations without resource-level permissions: authorized on "*".
_ANY_RESOURCE = {("glue", "GetJobs"), ("glue", "ListJobs"), ("glue", "ListSessions"),
                 ("athena", "ListWorkGroups"), ("iam", "ListRoles"), ("iam", "ListPolicies"),
                 ("s3", "ListBuckets")}  # fmt: skip
_GLUE_JOB_OPS = {"GetJob", "CreateJob", "UpdateJob", "DeleteJob", "StartJobRun", "GetJobRun",
                 "GetJobRuns", "BatchStopJobRun", "GetJobBookmark", "ResetJobBookmark"}  # fmt: skip
_GLUE_SESSION_OPS = {"CreateSession", "GetSession", "StopSession", "DeleteSession",
                     "RunStatement", "GetStatement", "ListStatements", "CancelStatement"}  # fmt: skip


def _s3_requests(op: str, p: dict, where: Account) -> list[Request]:
    bucket = f"arn:{where.partition}:s3:::{p['Bucket']}" if "Bucket" in p else "*"
    action = "s3:" + _S3_ACTIONS.get(op, op)
    if op in ("ListObjects", "ListObjectsV2"):
        context = {"s3:prefix": p["Prefix"]} if "Prefix" in p else {}
        return [Request(action, bucket, context)]
    if op == "DeleteObjects":
        return [Request(action, f"{bucket}/{o['Key']}") for o in p["Delete"]["Objects"]]
    if op == "CopyObject":
        source = p["CopySource"]
        if isinstance(source, str):
            src_bucket, _, src_key = source.lstrip("/").partition("/")
        else:
            src_bucket, src_key = source["Bucket"], source["Key"]
        return [Request("s3:GetObject", f"arn:{where.partition}:s3:::{src_bucket}/{src_key}"),
                Request("s3:PutObject", f"{bucket}/{p['Key']}")]  # fmt: skip
    context = {}
    if op in ("PutObject", "CreateMultipartUpload", "CopyObject") and "ServerSideEncryption" in p:
        context["s3:x-amz-server-side-encryption"] = p["ServerSideEncryption"]
    return [Request(action, f"{bucket}/{p['Key']}" if "Key" in p else bucket, context)]


def _glue_requests(op: str, p: dict, where: Account) -> list[Request]:
    action = f"glue:{op}"
    if op in _GLUE_JOB_OPS:
        found = [Request(action, where.arn("glue", f"job/{p.get('JobName', p.get('Name'))}"))]
    elif op in _GLUE_SESSION_OPS:
        # Statement calls name the session SessionId (their Id is the statement's).
        session = p.get("SessionId") or p["Id"]
        found = [Request(action, where.arn("glue", f"session/{session}"))]
    else:  # the Data Catalog: every call is checked on the catalog, the database and its tables
        catalog = where.arn("glue", "catalog")
        db = p.get("DatabaseName") or p.get("Name") or p.get("DatabaseInput", {}).get("Name")
        resources = [catalog]
        if op != "GetDatabases":
            resources.append(where.arn("glue", f"database/{db}"))
        if op == "DeleteDatabase":
            resources += [where.arn("glue", f"table/{db}/*"),
                          where.arn("glue", f"userDefinedFunction/{db}/*")]  # fmt: skip
        elif "DatabaseName" in p:
            tables = p.get("TablesToDelete") or [
                p.get("TableName") or p.get("Name") or p.get("TableInput", {}).get("Name") or "*"
            ]
            resources += [where.arn("glue", f"table/{db}/{t}") for t in tables]
        found = [Request(action, r) for r in resources]
    if op in ("CreateJob", "UpdateJob", "CreateSession"):
        role = p.get("Role") or p.get("JobUpdate", {}).get("Role")
        if role:
            found.append(
                Request("iam:PassRole", role, {"iam:PassedToService": "glue.amazonaws.com"})
            )
    if op in ("CreateJob", "CreateSession") and p.get("Tags"):
        found.append(Request("glue:TagResource", found[0].resource))
    return found


def _iam_requests(op: str, p: dict, where: Account) -> list[Request]:
    action = f"iam:{op}"

    def arn(kind: str, name: str) -> str:
        return where.arn("iam", f"{kind}/{name}", region=False)

    if op in ("DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy",
              "AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"):  # fmt: skip
        kind = "user" if "UserName" in p else "group" if "GroupName" in p else "role"
        name = p.get("UserName") or p.get("GroupName") or p.get("RoleName")
        return [Request(action, arn(kind, name), {"iam:PolicyARN": p["PolicyArn"]})]
    if "PolicyArn" in p:
        return [Request(action, p["PolicyArn"])]
    if op == "CreatePolicy":
        policy = arn("policy", p["PolicyName"])
        tags = [Request("iam:TagPolicy", policy)] if p.get("Tags") else []
        return [Request(action, policy), *tags]
    if "RoleName" in p:
        role = arn("role", p["RoleName"])
        tags = [Request("iam:TagRole", role)] if op == "CreateRole" and p.get("Tags") else []
        return [Request(action, role), *tags]
    if "UserName" in p:
        return [Request(action, arn("user", p["UserName"]))]
    raise KeyError(f"no IAM resource known for iam.{op}")


def _athena_requests(op: str, p: dict, where: Account) -> list[Request]:
    # Query calls are checked on the workgroup the query runs in.
    group = p.get("WorkGroup") or p.get("Name") or where.workgroup
    workgroup = where.arn("athena", f"workgroup/{group}")
    tags = (
        [Request("athena:TagResource", workgroup)]
        if op == "CreateWorkGroup" and p.get("Tags")
        else []
    )
    return [Request(f"athena:{op}", workgroup), *tags]


_BY_SERVICE = {"s3": _s3_requests, "glue": _glue_requests, "iam": _iam_requests,
               "athena": _athena_requests}  # fmt: skip


def requests_for_call(service: str, operation: str, params: dict, where: Account) -> list[Request]:
    """The IAM requests AWS authorizes for one boto3 call.

    Args:
        service: boto3's service name (``s3``).
        operation: boto3's method name (``list_objects_v2``) or the API's (``ListObjectsV2``).
        params: the call's parameters.
        where: the account, region and partition the ARNs point into.

    Raises:
        KeyError: a service or operation this module does not map (add it, do not skip it).
    """
    op = _operation_names(service).get(operation, operation)
    if op not in _operation_names(service).values():
        raise KeyError(f"{service} has no operation {operation!r}")
    if (service, op) in _FREE:
        return []
    prefix = signing_name(service)
    if (service, op) in _ANY_RESOURCE:
        return [Request(f"{prefix}:{_S3_ACTIONS.get(op, op) if service == 's3' else op}", "*")]
    if service not in _BY_SERVICE:
        raise KeyError(f"no IAM mapping for {service}.{op}")
    return _BY_SERVICE[service](op, params, where)

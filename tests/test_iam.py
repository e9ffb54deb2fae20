"""IAM, bucket policy and Athena workgroup: the documents, the wildcard check, set-up on moto."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import boto3
import pytest
from botocore.stub import Stubber

from movie_pipeline.aws import iam
from movie_pipeline.config import ConfigError, Settings

ACCOUNT = "123456789012"  # moto's account
BUCKET = "arn:aws:s3:::movie-analytics-lake"


def _by_sid(document: dict) -> dict[str, dict]:
    return {st["Sid"]: st for st in document["Statement"]}


# Documents --------------------------------------------------------------------------------
def test_glue_role_policy_reads_raw_and_writes_only_its_own_prefixes():
    st = _by_sid(iam.glue_role_policy(Settings(), ACCOUNT))
    assert st["ReadRawAndArtifacts"]["Action"] == ["s3:GetObject"]
    assert st["ReadRawAndArtifacts"]["Resource"] == [f"{BUCKET}/raw/*", f"{BUCKET}/artifacts/*"]
    assert "s3:PutObject" in st["WriteOwnOutputs"]["Action"]
    # What the ETL writes (test_iam_evaluation runs it): its report under reports/ included.
    assert st["WriteOwnOutputs"]["Resource"] == [
        f"{BUCKET}/cleaned/*", f"{BUCKET}/quarantine/*", f"{BUCKET}/tmp/*", f"{BUCKET}/reports/*"
    ]  # fmt: skip
    # Nothing else in the bucket is writable: raw/ and results/ appear in no write statement.
    writes = [r for s in st.values() if "s3:PutObject" in s["Action"] for r in s["Resource"]]
    assert not [r for r in writes if "/raw/" in r or "/results/" in r or "/artifacts/" in r]
    assert st["ListOwnPrefixes"]["Condition"]["StringLike"]["s3:prefix"] == [
        "raw", "raw/*", "artifacts", "artifacts/*", "cleaned", "cleaned/*",
        "quarantine", "quarantine/*", "tmp", "tmp/*", "reports", "reports/*",
    ]  # fmt: skip
    # Nothing in the Data Catalog: the job and sessions use S3 paths; the operator's client
    # registers the tables.
    assert not [a for s in st.values() for a in s["Action"] if a.startswith("glue:")]
    assert st["OwnLogs"]["Resource"][0] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*"
    )
    assert st["GlueMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Glue"}}


def test_analyst_policy_reads_cleaned_writes_results_in_one_workgroup():
    settings = Settings(workgroup="analysts", results_prefix="athena-results")
    st = _by_sid(iam.analyst_policy(settings, ACCOUNT))
    assert st["UseWorkgroup"]["Resource"] == [
        "arn:aws:athena:us-east-1:123456789012:workgroup/analysts"
    ]
    assert st["ReadCleaned"] == {
        "Sid": "ReadCleaned", "Effect": "Allow", "Action": ["s3:GetObject"],
        "Resource": [f"{BUCKET}/cleaned/*"],
    }  # fmt: skip
    assert st["WriteResults"]["Resource"] == [f"{BUCKET}/athena-results/*"]
    assert not any(a.startswith("glue:Create") or a.startswith("glue:Delete")
                   for a in st["ReadCatalog"]["Action"])  # fmt: skip


def test_partition_follows_the_region():
    assert iam.role_arn(Settings(region="cn-north-1"), "1").startswith("arn:aws-cn:iam::1:role/")
    assert iam.partition("us-gov-west-1") == "aws-us-gov"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": "glue:Get*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "NotResource": f"{BUCKET}/raw/*"},
    ],
)
def test_wildcard_actions_on_every_resource_are_rejected(statement):
    document = {"Version": "2012-10-17", "Statement": [statement]}
    assert len(iam.wildcard_problems(document)) == 1
    with pytest.raises(ConfigError, match="policy too broad"):
        iam.check_policies({"bad": document})


def test_scoped_wildcards_and_unscoped_single_actions_pass():
    document = {"Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]},
        {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
    ]}  # fmt: skip
    assert iam.wildcard_problems(document) == []


def test_operator_policy_passes_the_glue_role_to_glue_only_and_stays_in_the_project():
    st = _by_sid(iam.operator_policy(Settings(), ACCOUNT))
    assert st["PassGlueRoleToGlue"] == {
        "Sid": "PassGlueRoleToGlue", "Effect": "Allow", "Action": ["iam:PassRole"],
        "Resource": ["arn:aws:iam::123456789012:role/movie-pipeline-glue"],
        "Condition": {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}},
    }  # fmt: skip
    assert st["OwnGlueJobs"]["Resource"] == [
        "arn:aws:glue:us-east-1:123456789012:job/movie-pipeline-*"
    ]
    assert st["TheProjectsPrefixes"]["Resource"] == [
        f"{BUCKET}/{p}/*" for p in ("raw", "cleaned", "quarantine", "results", "artifacts", "tmp",
                                    "reports", "_locks")
    ]  # fmt: skip
    iam_resources = {
        r for s in st.values() if s["Action"][0].startswith("iam:") for r in s["Resource"]
    }
    assert iam_resources == {
        "arn:aws:iam::123456789012:role/movie-pipeline-glue",
        "arn:aws:iam::123456789012:policy/movie-pipeline-analyst",
        # Only to detach the analyst policy (the condition), from whoever it was attached to.
        "arn:aws:iam::123456789012:user/*",
        "arn:aws:iam::123456789012:group/*",
        "arn:aws:iam::123456789012:role/*",
    }
    assert st["DetachAnalystPolicy"]["Condition"] == {
        "ArnEquals": {"iam:PolicyARN": "arn:aws:iam::123456789012:policy/movie-pipeline-analyst"}
    }


def test_managed_policies_fit_in_iams_size_limit():
    # IAM refuses a managed policy above 6,144 characters, whitespace not counted.
    settings = Settings(
        bucket="b" * 63, database="d" * 64, workgroup="w" * 128, resource_prefix="p" * 31
    )
    for document in (iam.analyst_policy(settings, ACCOUNT), iam.operator_policy(settings, ACCOUNT)):
        assert len(json.dumps(document, separators=(",", ":"))) <= 6144


def test_every_generated_document_passes_the_check():
    documents = iam.policy_documents(Settings(), ACCOUNT)
    assert list(documents) == ["movie-pipeline-glue (trust)", "movie-pipeline-glue-access",
                               "movie-pipeline-analyst", "movie-pipeline-operator",
                               "movie-analytics-lake bucket policy"]  # fmt: skip
    for document in documents.values():
        assert iam.wildcard_problems(document) == []


def test_cutoff_below_athena_minimum_is_refused():
    with pytest.raises(ConfigError, match="10 MB"):
        iam.workgroup_configuration(Settings(bytes_scanned_cutoff=1_000_000))


# Set-up on moto ---------------------------------------------------------------------------
@pytest.fixture
def settings(aws_session):
    return Settings(backend="aws")


@pytest.fixture
def setup(aws_session):
    """``setup(settings)``: run setup_aws on moto."""

    def run(settings):
        return iam.setup_aws(settings, session=aws_session)

    return run


def test_setup_creates_role_policies_bucket_and_workgroup(settings, setup):
    report = setup(settings)
    assert report.role_arn == "arn:aws:iam::123456789012:role/movie-pipeline-glue"
    # The operator's policy is generated, never applied (an administrator does).
    assert report.actions[-1].startswith("operator policy movie-pipeline-operator: not applied")
    local = boto3.client("iam").list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["movie-pipeline-analyst"]

    iam_client = boto3.client("iam")
    role = iam_client.get_role(RoleName="movie-pipeline-glue")["Role"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "glue.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert role["Tags"] == [{"Key": "project", "Value": "movie-pipeline"}]
    inline = iam_client.get_role_policy(
        RoleName="movie-pipeline-glue", PolicyName="movie-pipeline-glue-access"
    )["PolicyDocument"]
    assert _by_sid(inline)["ReadRawAndArtifacts"]["Resource"][0] == f"{BUCKET}/raw/*"

    arn = "arn:aws:iam::123456789012:policy/movie-pipeline-analyst"
    version = iam_client.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert _by_sid(version["Document"])["WriteResults"]["Resource"] == [f"{BUCKET}/results/*"]

    s3 = boto3.client("s3")
    policy = _by_sid(json.loads(s3.get_bucket_policy(Bucket="movie-analytics-lake")["Policy"]))
    tls = policy["MoviePipelineDenyInsecureTransport"]
    assert (tls["Effect"], tls["Action"]) == ("Deny", "s3:*")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["MoviePipelineDenyOtherEncryption"]["Condition"]["Null"] == {
        "s3:x-amz-server-side-encryption": "false"
    }
    rules = s3.get_bucket_encryption(Bucket="movie-analytics-lake")[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket="movie-analytics-lake")
    assert all(block["PublicAccessBlockConfiguration"].values())

    group = boto3.client("athena").get_work_group(WorkGroup="movie_pipeline")["WorkGroup"]
    config = group["Configuration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 1_000_000_000
    assert config["ResultConfiguration"] == {
        "OutputLocation": "s3://movie-analytics-lake/results/",
        "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
    }


def test_a_new_role_is_waited_for_where_glue_first_uses_it(settings, setup, aws_session):
    # Set-up returns at once; the wait is for the rest of 10 s after the role's creation, on
    # IAM's clock, and only once the role is old enough does it cost nothing.
    waits, lines = [], []
    assert iam.wait_for_role(aws_session, settings, waits.append, lines.append) == 0  # no role yet
    started = time.monotonic()
    setup(settings)
    assert time.monotonic() - started < iam.IAM_PROPAGATION_SECONDS
    waited = iam.wait_for_role(aws_session, settings, waits.append, lines.append)
    assert waits == [waited] and 8 <= waited <= 10
    assert lines == [
        f"waiting {waited:.0f} s for the new role movie-pipeline-glue to propagate in IAM"
    ]


def test_a_role_made_earlier_is_not_waited_for(settings):
    client = boto3.client("iam", region_name="us-east-1")
    session = type("Session", (), {"client": lambda self, name: client})()
    created = datetime(2026, 12, 6, 9, 0, 0, tzinfo=UTC)
    role = {"Path": "/", "RoleName": "movie-pipeline-glue", "RoleId": "AROAEXAMPLE0000000000",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/movie-pipeline-glue", "CreateDate": created}  # fmt: skip
    for seconds_later, expected in ((3, 7), (60, 0)):
        date = format_datetime(created + timedelta(seconds=seconds_later), usegmt=True)
        with Stubber(client) as stub:
            stub.add_response("get_role", {"Role": role, "ResponseMetadata": {
                "HTTPStatusCode": 200, "HTTPHeaders": {"date": date}}},
                {"RoleName": "movie-pipeline-glue"})  # fmt: skip
            waits = []
            assert iam.wait_for_role(session, settings, waits.append, lambda line: None) == expected
            assert waits == ([expected] if expected else [])


def test_setup_twice_changes_nothing_and_keeps_other_statements(settings, setup):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="movie-analytics-lake")
    theirs = {"Sid": "TheirAuditRead", "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
              "Action": "s3:GetObject", "Resource": f"{BUCKET}/audit/*"}  # fmt: skip
    s3.put_bucket_policy(Bucket="movie-analytics-lake",
                         Policy=json.dumps({"Version": "2012-10-17", "Statement": [theirs]}))  # fmt: skip
    setup(settings)
    second = setup(settings)
    assert "managed policy movie-pipeline-analyst is up to date" in second.actions
    statements = json.loads(s3.get_bucket_policy(Bucket="movie-analytics-lake")["Policy"])[
        "Statement"
    ]
    assert sorted(st["Sid"] for st in statements) == [
        "MoviePipelineDenyInsecureTransport", "MoviePipelineDenyOtherEncryption", "TheirAuditRead"
    ]  # fmt: skip
    # An existing bucket is not re-tagged: its tags are its owner's.
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchTagSet"):
        s3.get_bucket_tagging(Bucket="movie-analytics-lake")
    arn = "arn:aws:iam::123456789012:policy/movie-pipeline-analyst"
    assert len(boto3.client("iam").list_policy_versions(PolicyArn=arn)["Versions"]) == 1


def test_changed_settings_make_a_new_default_policy_version(settings, setup):
    setup(settings)
    # (A change that leaves the workgroup alone: moto cannot update workgroups.)
    setup(settings.replace(database="films_db"))
    arn = "arn:aws:iam::123456789012:policy/movie-pipeline-analyst"
    iam_client = boto3.client("iam")
    default = iam_client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    assert default == "v2"
    doc = iam_client.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"]
    assert _by_sid(doc)["ReadCatalog"]["Resource"][1:] == [
        "arn:aws:glue:us-east-1:123456789012:database/films_db",
        "arn:aws:glue:us-east-1:123456789012:table/films_db/*",
    ]


def test_existing_workgroup_is_updated_to_our_configuration():
    # moto has no UpdateWorkGroup: stub this client and check the exact request.
    athena = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    settings = Settings(bucket="lake-b", workgroup="wg", bytes_scanned_cutoff=50_000_000)
    with Stubber(athena) as stub:
        stub.add_response("get_work_group", {"WorkGroup": {"Name": "wg"}}, {"WorkGroup": "wg"})
        stub.add_response("update_work_group", {}, {
            "WorkGroup": "wg",
            "ConfigurationUpdates": {
                "EnforceWorkGroupConfiguration": True,
                "ResultConfigurationUpdates": {
                    "OutputLocation": "s3://lake-b/results/",
                    "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
                },
                "PublishCloudWatchMetricsEnabled": True,
                "BytesScannedCutoffPerQuery": 50_000_000,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
            },
        })  # fmt: skip
        report = iam.SetupReport("1", "r", "p", "wg")
        iam.ensure_workgroup(athena, settings, report)
        stub.assert_no_pending_responses()
    assert report.actions == ["updated Athena workgroup wg"]

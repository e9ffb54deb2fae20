"""What the Glue side may import: the packages Glue 5.1 provides, and those the job installs."""

from __future__ import annotations

SPARK_VERSION = "3.5.6"

# AWS's published list for AWS Glue 5.1, "Python modules already provided in AWS Glue":
# https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html#glue-modules-provided
# Not in it, so absent from a Glue job or session unless installed: tqdm (Glue 4.0 had it),
# duckdb, sqlglot, psutil, IPython, awswrangler, papermill, moto.
PROVIDED: dict[str, str] = {
    "aiobotocore": "2.25.1", "aiohappyeyeballs": "2.6.1", "aiohttp": "3.13.2",
    "aioitertools": "0.12.0", "aiosignal": "1.4.0", "appdirs": "1.4.4", "attrs": "25.4.0",
    "boto3": "1.40.61", "botocore": "1.40.61", "certifi": "2025.10.5",
    "charset-normalizer": "3.4.4", "choreographer": "1.2.0", "contourpy": "1.3.3",
    "cycler": "0.12.1", "distlib": "0.4.0", "filelock": "3.20.0", "fonttools": "4.60.1",
    "frozenlist": "1.8.0", "fsspec": "2025.10.0", "idna": "3.11", "iniconfig": "2.3.0",
    "jmespath": "1.0.1", "kaleido": "1.2.0", "kiwisolver": "1.4.9", "logistro": "2.0.1",
    "matplotlib": "3.10.7", "multidict": "6.7.0", "narwhals": "2.10.2", "numpy": "2.3.4",
    "orjson": "3.11.4", "packaging": "25.0", "pandas": "2.3.3", "pillow": "12.0.0", "pip": "24.0",
    "platformdirs": "4.5.0", "plotly": "6.4.0", "pluggy": "1.6.0", "propcache": "0.4.1",
    "pyarrow": "22.0.0", "Pygments": "2.19.2", "pyparsing": "3.2.5", "pytest-timeout": "2.4.0",
    "pytest": "8.4.2", "python-dateutil": "2.9.0.post0", "pytz": "2025.2", "requests": "2.32.5",
    "s3fs": "2025.10.0", "s3transfer": "0.14.0", "seaborn": "0.13.2", "setuptools": "79.0.1",
    "simplejson": "3.20.2", "six": "1.17.0", "tenacity": "9.1.2", "typing_extensions": "4.15.0",
    "tzdata": "2025.2", "urllib3": "2.5.0", "uv": "0.9.7", "virtualenv": "20.35.4",
    "wrapt": "1.17.3", "yarl": "1.22.0",
}  # fmt: skip

# Glue's runtime itself, outside the pip list: Spark 3.5.6 (with the py4j it bundles) and the
# awsglue library (AWSGlueDataplanePython 5.1.0 on PyPI).
RUNTIME: dict[str, str] = {"pyspark": SPARK_VERSION, "py4j": "0.10.9.7", "awsglue": "5.1.0"}

# What the job and the interactive sessions install with --additional-python-modules, pinned
# (name -> version). Empty: the Glue side of the library needs nothing beyond PROVIDED, and a
# run that installs nothing starts faster and cannot fail on PyPI.
ADDITIONAL: dict[str, str] = {}

# Top-level import names where they differ from the distribution's name.
_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "attrs": ("attr", "attrs"),
    "fonttools": ("fontTools",),
    "matplotlib": ("matplotlib", "mpl_toolkits", "pylab"),
    "pillow": ("PIL",),
    "plotly": ("plotly", "_plotly_utils"),
    "pytest": ("pytest", "_pytest", "py"),
    "python-dateutil": ("dateutil",),
    "setuptools": ("setuptools", "pkg_resources", "_distutils_hack"),
}


def import_names(distribution: str) -> tuple[str, ...]:
    """The top-level modules a distribution installs (``python-dateutil`` -> ``dateutil``)."""
    return _IMPORT_NAMES.get(distribution, (distribution.lower().replace("-", "_"),))


def allowed_imports() -> frozenset[str]:
    """Every top-level module the Glue side may import besides the standard library and itself.

    Examples:
        >>> {"pyspark", "boto3", "dateutil"} <= allowed_imports()
        True
        >>> "tqdm" in allowed_imports()
        False
    """
    distributions = [*PROVIDED, *RUNTIME, *ADDITIONAL]
    return frozenset(name for d in distributions for name in import_names(d))


def additional_python_modules() -> str:
    """The ``--additional-python-modules`` value: ``name==version`` pins, comma-separated.

    Returns:
        ``""`` when the project installs nothing (the argument is then left out).
    """
    return ",".join(f"{name}=={version}" for name, version in sorted(ADDITIONAL.items()))

"""The local SparkSession: the JVM it starts runs with the options spark.py documents."""

from movie_pipeline.spark import LOCAL_JVM_OPTIONS


def _jvm_arguments(spark) -> list[str]:
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    return list(management.getRuntimeMXBean().getInputArguments())


def test_the_jvm_runs_with_the_local_compiler_options(spark):
    arguments = _jvm_arguments(spark)
    for option in LOCAL_JVM_OPTIONS.split():
        assert option in arguments


def test_the_tier4_threshold_is_the_raised_one(spark):
    jvm = spark.sparkContext._jvm
    bean = jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    hotspot = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(bean)
    assert hotspot.getVMOption("Tier4InvocationThreshold").getValue() == "50000"


def test_a_functions_call_is_one_py4j_round_trip(spark, monkeypatch):
    from pyspark.sql import functions as F

    client = spark.sparkContext._jvm._gateway_client
    F.col("warm"), F.lit(0)  # resolved once per session
    sent = []
    send = client.send_command
    monkeypatch.setattr(client, "send_command", lambda *a, **k: sent.append(a[0]) or send(*a, **k))
    F.col("x"), F.lit(1), F.col("y")
    # Without the cache each would also look up `functions` and the method: 9 round trips.
    assert len(sent) == 3

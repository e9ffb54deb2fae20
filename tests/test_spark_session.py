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

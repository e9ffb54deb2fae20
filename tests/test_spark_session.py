"""The local SparkSession: the JVM it starts runs with the options spark.py gives it."""


def test_the_driver_jvm_runs_with_the_local_options(spark):
    # Set from Python before the JVM starts; in local mode the driver JVM runs the tasks too.
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    arguments = list(management.getRuntimeMXBean().getInputArguments())
    assert "-Xss16m" in arguments
    assert "-Dlog4j2.level=ERROR" in arguments

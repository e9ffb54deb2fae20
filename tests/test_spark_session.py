"""The local SparkSession: the JVM it starts runs with the options spark.py gives it."""


def test_the_driver_jvm_runs_with_the_local_options(spark):
    # Set from Python before the JVM starts; in local mode the driver JVM runs the tasks too.
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    arguments = list(management.getRuntimeMXBean().getInputArguments())
    assert "-Xss16m" in arguments
    assert "-Dlog4j2.level=ERROR" in arguments


def test_the_driver_binds_to_loopback(spark):
    # SPARK_LOCAL_IP reaches the JVM's environment: Spark then never looks up this machine's
    # name and address, and prints neither (a notebook's output would show both).
    jvm_env = spark.sparkContext._jvm.java.lang.System.getenv("SPARK_LOCAL_IP")
    assert jvm_env == "127.0.0.1"
    assert spark.sparkContext.getConf().get("spark.driver.host") in ("127.0.0.1", "localhost")

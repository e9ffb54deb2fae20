"""The local SparkSession: the JVM it starts runs with the options spark.py gives it."""


def test_the_driver_jvm_runs_with_the_local_options(spark):
    # Set from Python before the JVM starts; in local mode the driver JVM runs the tasks too.
    management = spark.sparkContext._jvm.java.lang.management.ManagementFactory
    arguments = list(management.getRuntimeMXBean().getInputArguments())
    assert "-Xss16m" in arguments
    assert "-Dlog4j2.level=ERROR" in arguments
    config = [a for a in arguments if a.startswith("-Dlog4j2.configurationFile=file:")]
    assert len(config) == 1 and config[0].endswith("/etl/log4j2.properties")
    # The file is what log4j2 runs with: errors only, so no start-up WARN reaches a notebook.
    logger = spark.sparkContext._jvm.org.apache.logging.log4j.LogManager.getRootLogger()
    assert str(logger.getLevel()) == "ERROR"


def test_the_driver_binds_to_loopback(spark):
    # SPARK_LOCAL_IP reaches the JVM's environment: Spark then never looks up this machine's
    # name and address, and prints neither (a notebook's output would show both).
    jvm_env = spark.sparkContext._jvm.java.lang.System.getenv("SPARK_LOCAL_IP")
    assert jvm_env == "127.0.0.1"
    assert spark.sparkContext.getConf().get("spark.driver.host") in ("127.0.0.1", "localhost")

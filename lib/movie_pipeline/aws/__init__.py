"""AWS edges other than Glue: clients, IAM, dry run, teardown."""

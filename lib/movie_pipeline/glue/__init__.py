"""AWS Glue edges: the job script and the interactive-session driver."""

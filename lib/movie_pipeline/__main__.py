"""`python -m movie_pipeline` is the same as the `movie-pipeline` command."""

from movie_pipeline.cli import main

raise SystemExit(main())

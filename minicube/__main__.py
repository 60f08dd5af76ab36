"""`python -m minicube` runs the CLI, exactly as the `minicube` command does."""

from minicube.cli.main import main

main()

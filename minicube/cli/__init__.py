"""HOST side: the `minicube` command (Typer + Rich). One module per command; `main` is the one
place errors become a message, a hint and an exit code."""

"""The node's control-plane process: `python -m minicube.node` (see supervisor.py)."""

"""minicube: a single-machine Kubernetes that runs in one Docker container."""

__version__ = "0.1.0"

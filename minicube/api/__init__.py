"""The Kubernetes API model: pure functions over plain dict objects, no I/O."""

"""HOST side: a cluster's node container, its image, kubeconfig and status (no CLI here).

`provider` is the only module that talks to Docker; the CLI drives the rest.
"""

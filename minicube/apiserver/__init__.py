"""The Kubernetes REST API over aiohttp: discovery, CRUD, watch, patch and subresources."""

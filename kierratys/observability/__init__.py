"""What the operator sees of a running server: log lines (one JSON object each in
production, with the request's id) and Prometheus metrics on /metrics (token only).

Imports nothing of the domain: the consumers, the settings and the URLs use it.
"""

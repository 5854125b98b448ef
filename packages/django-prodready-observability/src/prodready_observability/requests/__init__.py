"""The request middleware and the line it logs for every request (the request id and
user it sets are in ``prodready_observability.context``)."""

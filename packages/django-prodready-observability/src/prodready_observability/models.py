"""The app's models, defined in :mod:`prodready_observability.history.models`."""

from prodready_observability.history.models import (
    ExceptionGroup,
    RouteStat,
    SlowQuery,
    SlowRequest,
    UserActivity,
)

__all__ = ["ExceptionGroup", "RouteStat", "SlowQuery", "SlowRequest", "UserActivity"]

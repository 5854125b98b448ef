"""The contract every health check follows, and what one run of a check produced.

Defined in :mod:`prodready.contracts` with the other types of hook results.
"""

from prodready.contracts import CheckResult as CheckResult
from prodready.contracts import CheckStatus as CheckStatus
from prodready.contracts import HealthCheck as HealthCheck
from prodready.contracts import HealthCheckError as HealthCheckError

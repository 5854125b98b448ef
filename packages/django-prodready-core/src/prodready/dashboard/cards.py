"""One card on the operations dashboard.

Defined in :mod:`prodready.contracts` with the other types of hook results.
"""

from prodready.contracts import DashboardCard as DashboardCard

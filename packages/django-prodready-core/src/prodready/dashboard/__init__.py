"""The operations dashboard, composed of every plugin's cards."""

from prodready.dashboard.cards import DashboardCard
from prodready.dashboard.charts import Chart, Series
from prodready.time_range import TimeRange

__all__ = ["Chart", "DashboardCard", "Series", "TimeRange"]

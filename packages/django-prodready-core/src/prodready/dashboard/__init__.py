"""The operations dashboard, composed of every plugin's cards."""

from prodready.dashboard.cards import DashboardCard

__all__ = ["DashboardCard"]

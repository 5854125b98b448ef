"""Start-up wiring of the audit log, called from ``AppConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed

TRACKED_MODELS_SETTING = "PRODREADY_AUDIT_TRACKED_MODELS"


def connect() -> None:
    from prodready_security.audit import auth_signals

    auth_signals.connect()
    _track()
    setting_changed.connect(_tracked_models_changed, dispatch_uid="prodready_audit_tracked")


def _tracked_models_changed(setting: str, **kwargs: Any) -> None:
    # override_settings in tests, and any runtime change, must start or stop tracking.
    # A receiver, not a derived_from value: receivers must be connected before the next
    # save, not at the next read of the setting.
    if setting == TRACKED_MODELS_SETTING:
        from prodready_security.audit import tracked_models

        # Forgotten here as well: receivers run in the order they were connected.
        tracked_models.tracked_models.forget()
        _track()


def _track() -> None:
    """Record the tracked models' changes: saves and deletes through their signals, bulk
    operations through the wrapped QuerySet methods, many-to-many changes through
    ``m2m_changed``."""
    from prodready_security.audit import bulk, m2m_changes, model_changes

    if model_changes.sync_receivers():
        bulk.install()
    m2m_changes.sync_receivers()

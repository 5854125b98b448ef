"""The models named in ``PRODREADY_AUDIT_TRACKED_MODELS``, resolved to classes."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from prodready.conf import derived_from
from prodready_security.conf import conf


def is_tracked(model: type[models.Model]) -> bool:
    return model in tracked_models()


@derived_from("PRODREADY_AUDIT_TRACKED_MODELS")
def tracked_models() -> frozenset[type[models.Model]]:
    """The installed models listed in the setting; unknown names are left to the checks."""
    listed = set()
    for label in conf.AUDIT_TRACKED_MODELS:
        try:
            listed.add(apps.get_model(label))
        except (LookupError, ValueError):
            continue  # prodready_security.E041 names it
    # Proxies share their model's table, so changes made through them count too.
    proxies = {
        model
        for model in apps.get_models()
        if model._meta.proxy and model._meta.concrete_model in listed
    }
    return frozenset(listed | proxies)

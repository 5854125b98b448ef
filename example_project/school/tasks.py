"""Celery tasks for the school's scheduled work (beat schedule in ``prodready_hooks``)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from school import services

# A database that is briefly away (failover, restart) is worth waiting for.
RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(name="school.create_monthly_invoices", **RETRY)
def create_monthly_invoices() -> int:
    return services.create_monthly_invoices()


@shared_task(name="school.send_lesson_reminders", **RETRY)
def send_lesson_reminders() -> int:
    return services.send_lesson_reminders()


@shared_task(name="school.expire_makeup_lessons", **RETRY)
def expire_makeup_lessons() -> int:
    return services.expire_makeup_lessons()

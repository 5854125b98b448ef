"""What the Celery card and page show: task counts, workers, queues and periodic tasks.

``store`` records finished tasks cheaply, ``hour`` reads the last hour back, ``broker``
asks the workers and the broker (bounded in time), ``periodic`` says which scheduled
task is late, and ``overview.celery_overview()`` is the one function the card and the
page read.
"""

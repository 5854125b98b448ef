from prodready.plugins import hookimpl
from prodready.schedule import PeriodicTask

NIGHTLY = PeriodicTask("beat-project-nightly", "beat_project.nightly", "30 2 * * *")


@hookimpl
def prodready_periodic_tasks():
    return [NIGHTLY]

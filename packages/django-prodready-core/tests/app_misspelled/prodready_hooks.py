"""An app whose prodready_hooks module has a typo: must fail at start-up, naming it."""

from prodready import hookimpl


@hookimpl
def prodready_helth_checks():  # the typo is the point
    return []

"""A plugin whose hook name has a typo: must fail at start-up, naming the plugin."""

from prodready.plugins import hookimpl


@hookimpl
def prodready_helth_checks():  # the typo is the point
    return []

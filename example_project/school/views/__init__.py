"""The school's pages, one module per area; ``school.urls`` maps them."""

from school.views.pages import home

__all__ = ["home"]

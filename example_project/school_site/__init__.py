"""The example tutoring school's Django project."""

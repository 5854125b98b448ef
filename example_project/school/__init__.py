"""The tutoring school itself: pages, commands and its dashboard card."""

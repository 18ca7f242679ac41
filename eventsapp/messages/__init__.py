"""Organisers write to participants, and reminders go out on time (issue 18)."""

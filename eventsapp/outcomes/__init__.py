"""Outcomes of meetings: decisions, action items carried to the next meeting, the Chair's
Summary."""

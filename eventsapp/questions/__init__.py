"""Registration questions per event (issue 17)."""

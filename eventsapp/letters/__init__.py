"""Visa support letters and certificates of attendance (issue 17)."""

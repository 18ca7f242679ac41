"""Invitations: organisers invite addresses; each gets a one-time link bound to it."""

"""Privacy: the notice registrants accept, retention and purge, data export and erasure."""

"""How people take part: in person, online or hybrid (issue 17)."""

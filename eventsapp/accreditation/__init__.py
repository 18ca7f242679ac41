"""Accreditation: approvals by focal points and the secretariat, heads of delegation,
substitutions, and the event's registration mode and quotas."""

"""Statistics computed from the timeline (issue #16, SPEC §10): reads only, never writes."""

"""Statistics computed from the timeline (issue #16, SPEC §10). It never writes a complaint or
its timeline; its own tables are the per-complaint facts (a projection of the timeline) and
the frozen months."""

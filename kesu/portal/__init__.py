"""What customers reach without staff: the public complaint form and the portal (SPEC §1, §8)."""

"""`make bench`: Kesu's performance benchmark (see bench/README.md)."""

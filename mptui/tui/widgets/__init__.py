"""One dashboard panel per module; each reads a Snapshot and updates only what changed."""

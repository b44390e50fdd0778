"""The splitter: group-aware, stratified, deterministic train/validation assignment, and the
writer that streams the examples into the two files."""

"""A corpus of bad and hostile inputs, each with the exit code and message it must give."""

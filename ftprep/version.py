"""The package version, in a module of its own so lower layers (the report) can name it
without importing the package root and, through it, the public API."""

__version__ = "0.1.0"

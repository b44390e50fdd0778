"""PII detection for the clean item and masking for every rendered output."""

from ftprep.pii.detectors import CATEGORIES, PiiMatch, find_pii, mask_pii

__all__ = ["CATEGORIES", "PiiMatch", "find_pii", "mask_pii"]

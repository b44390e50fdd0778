"""Similarity: text normalisation, exact hashes and near-duplicate groups, computed once and
shared by the clean, diverse and split stages."""

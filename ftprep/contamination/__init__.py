"""Decontamination: training examples that reproduce evaluation items.

:mod:`.ngrams` hashes normalised word n-grams; :mod:`.fingerprint` stores them per item
part in ``.fp`` files; :mod:`.sources` reads public benchmarks and a team's eval sets;
:mod:`.index` merges what a run matches against; :mod:`.match` finds the parts an example
reproduces. The checks are ``evaluated.contamination`` and ``evaluated.eval_overlap``.
"""

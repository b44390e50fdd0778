"""Evaluation: what task the data teaches, which metric measures it, and a trivial baseline."""

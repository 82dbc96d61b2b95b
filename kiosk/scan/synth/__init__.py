"""Synthetic documents and captures with ground truth, for tests and the benchmark."""

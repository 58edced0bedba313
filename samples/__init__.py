"""Synthetic, fictional UK council scans with exact ground truth, and their generator."""

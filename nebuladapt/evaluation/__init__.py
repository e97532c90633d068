"""Evaluation: metrics, classical baselines, the demo benchmark run."""

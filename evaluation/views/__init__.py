"""Evaluation pages, a module per area: figures, indicator, summary, review, upload, the equity dashboard."""

"""Figures: Altair charts and display tables built from analysis results (the book theme
lives in `fiscalbook.charts`). Figures import analyses' results, never the reverse.
"""

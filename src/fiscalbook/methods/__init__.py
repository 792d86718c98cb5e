"""Methods: estimators and statistics that know nothing about a particular chapter.

Arrows point down only: methods import from `fiscalbook.data`-level modules (tables, panels)
at most, never from `analyses` or `figures`.
"""

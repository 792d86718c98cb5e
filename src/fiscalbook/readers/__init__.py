"""Readers: one module per source format, each turning one raw file into a tidy table.

Every reader takes a path (already verified by fiscalbook.fetch), returns a pandas
DataFrame with documented columns and units, and validates it with a pandera schema
before returning. Bad input raises SourceFormatError and returns nothing partial.
Chapters never call readers directly: they go through fiscalbook.tables.
"""

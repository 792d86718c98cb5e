"""fiscalbook: the tested code behind the book on local fiscal power and regional productivity.

Data flows one way: catalog -> fetch (verified raw files) -> readers (validated tidy
tables) -> tables/panels (analysis panels) -> models -> charts and glued numbers.
"""

__version__ = "0.1.0"

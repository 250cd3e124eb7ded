"""Pure rules of the appeals regulation: no Flask, SQLAlchemy or rq here.

"Today", the calendar and the settings are always passed in, so every rule
can be tested in isolation.
"""

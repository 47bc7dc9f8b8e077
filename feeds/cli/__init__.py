"""The ``feeds`` command and its terminal output: commands, init, add, status, search, explain.

The top of the house: may import anything below; nothing in feeds imports it.
"""

"""Bounds of the numbers a request may carry. A form or serializer field declares them, so
a number past them is refused where it is read (400) instead of overflowing a database
column (500); PostgreSQL and SQLite both stop at 64 bits, and some columns at 32."""

#: The largest id a row can have (BigAutoField: a signed 64-bit column).
MAX_ID = 2**63 - 1

#: The largest value every database holds in a PositiveIntegerField (PostgreSQL ``integer``).
MAX_INTEGER = 2**31 - 1

"""The visit lifecycle of CONTRACT §4 as plain data and functions (no I/O imports)."""

"""Cursor pagination: stable pages however many rows arrive meanwhile, and as fast deep in the
list as at its start (the cursor is a position in the ordering, never an offset to count)."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    # The primary key: unique and never changing, so no row is skipped or shown twice.
    ordering = "-pk"

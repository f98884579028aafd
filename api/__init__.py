"""The REST API v1 (docs/spec.md §11): the same services and selectors as the pages, over HTTP."""

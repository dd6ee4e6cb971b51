"""The JSON API under ``/api/v1`` (issue 14): personal tokens, read and write endpoints,
the OpenAPI document and its Dutch documentation page. See docs/api.md."""

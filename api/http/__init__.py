"""The HTTP kit every domain uses: problems, conditional requests, cursors, media types, docs, contract."""

"""The seed blog post's two routes (`GET /`, `POST /new`)."""

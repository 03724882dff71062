"""Everything HTTP: the app, one router per concern, and what the routers share.

`app` (the FastAPI application, its errors and middleware), `openapi` (the OpenAPI
description, made whole where FastAPI cannot see), `server` (`srg serve`),
`routes/` (one router per concern: they read input, call the library, pick a format and
answer, and never import each other), `requests` (body reading, negotiation, the validated
write), `services` (the dataset, the query pool and the named queries of one app),
`request_guard` (a SPARQL request against the settings), `sparql_protocol` (what a
`/sparql` request asks for), `negotiation` (Accept and Accept-Language), `caching`
(ETag and Last-Modified), `auth` (bearer tokens), `errors` (the status of every domain
error: the only place statuses are decided), `pages` (Jinja templates, the CSP),
`templates/` and `static/`.

May import: every package below it.
"""

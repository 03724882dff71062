"""SPARQL as text: what the product reads and writes of SPARQL before an engine sees it.

`lexer` (one tokenizer for every reader), `guard` (what a request does and whether it may
run: size, nesting, SERVICE, LOAD), `plain` (the guard's fast reading of a query that is
plainly one), `using` (the protocol's update dataset as USING clauses), `prebinding` (typed
values as a VALUES block, for remote stores), `named` (the named queries of `queries/` and
their typed parameters), `results` (SELECT results in the four standard formats) and
`internal` (the server's own queries in `rq/`, and their one loader).

May import: the standard library and the base modules (`errors`, `namespaces`, ...). No RDF
library: the text is all it needs.
"""

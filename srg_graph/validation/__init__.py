"""SHACL validation: full and incremental, fast and reference, and its reports.

`engines` (the one entry point, `validate_store`, over two engines with the same results),
`fast` (the shapes' SPARQL twins in `queries/checks/`, run on the store), `reference`
(pySHACL: the only module that imports it), `incremental` (a write validated where it can
change results: `refusal`), `reach` and `algebra` (what a check can read, worked out from its
SPARQL), `report` (the `Report` and its results) and `render` (text, JSON, Turtle).

May import: `store/`, `sparql/` and the base modules.
"""

"""What pages and APIs show, as plain data: no HTTP, no templates.

`documents` (a resource's RDF description, `/doc/` addresses), `resource_view` (a resource's
page), `dashboard` (the home page), `report_view` (a report grouped by rule), `catalogue`
(VoID, DCAT and the dumps), `coverage` (the VLOCA matrix), `orgchart` (the chart, laid out by
Graphviz through `graphviz`), `standard_terms` (labels of the reused vocabularies' terms),
`mappings` (VLOCA mappings as CSV, and the template), `mapping_names` (what the cells of
an import name: IRIs, type/slugs, labels, levels, dates), `vocabulary` (the ontology and
shapes pages), `service_description` (the SPARQL Service Description), `query_results` (a
query's answer on the home page, for a browser without script), `api_operations` (the
OpenAPI description's operations, for `/docs` without script); `resources/` holds their RDF.

May import: `dataset/`, `validation/`, `store/`, `sparql/` and the base modules.
"""

"""The serve process model: the query worker that holds the dataset, and how it is reached.

`pool` (the server's handle: a worker answering a request per slot, killed at the time
limit and replaced), `worker` (what the worker process runs), `zygote` (the single-threaded
process that forks workers), `messages` (every message between them, typed), `memory`
(handing freed heap memory back), `remote_pool` (the same role on a remote store),
`huge_pages` (the dataset's memory in the kernel's huge pages: `srg serve` starts again so).

May import: `dataset/`, `validation/`, `store/`, `sparql/` and the base modules.
"""

"""The dataset of record: its sources, its build, its durable writes.

`sources` (the files of `ontology/`, `shapes/`, `data/` and their named graphs), `build`
(`srg build`: parse, validate, replace the snapshot), `bulk_load` (`srg load`, `srg
compact`), `embedded` (the snapshot plus the write-ahead log, `wal`, the `Dataset` the
server writes to), `repair` (`srg repair`: a damaged log made openable), `history` (a change
as the log keeps it), `changelog` (the index of the history: each change's metadata and the
subjects it touched), `writes` (the one write path: stage, validate, commit), `remote` (the
dataset of a remote store, and `srg push`), `faults` (named points where the fault-injection
tests make a process crash or an I/O call fail; off in production).

May import: `validation/`, `store/`, `sparql/` and the base modules.
"""

"""Ingest: take submitted files in, check them, archive them, load them, split off identifiers.

See docs/ingest.md. The modules, by what they hold:

- ``files``: recognising a file by its name and content, and the order files load in;
- ``landing``: the landing archive, every file kept as received with its SHA-256;
- ``stores``: the warehouse and identity databases, their schemas and crash recovery;
- ``ledger``: what has been received, loaded, replaced, refused or rejected;
- ``plan``: what a file does to the stores (load, replace, nothing, refuse);
- ``split``: rows for the warehouse and identifiers for the identity store;
- ``loader``: the run itself, file by file and month by month;
- ``commit``: writing a commit group to both stores, the warehouse commit last;
- ``status``: what the ledger says, for ``recoverylink status``;
- ``report``, ``safety``: validation reports and limits on hostile files.
"""

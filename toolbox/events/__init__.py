"""The board's event log, below every domain: the event row, recording it in the change's
transaction (the one place where a board's `seq` grows), the board's write lock, and replay;
one typed declaration per kind of event (`types`), and who may see which (`audience`).

Domains and `toolbox.live` import this package; it imports no domain."""

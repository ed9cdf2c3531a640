"""Live updates: the event log, the broadcast bus, and the hub that fans changes out."""

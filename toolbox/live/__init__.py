"""Live updates, transport only: the broadcast bus, the publisher, the hub that fans changes out,
and the board's websocket. What an event looks like is the domains' to say: they hand their
rendering to the hub through `toolbox.live.rendering` (wired in `toolbox.app`)."""

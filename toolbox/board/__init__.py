"""The board: columns of resource cards, labels, search."""

"""Community operations: check-ins, points, capacity, gate, duty, roster, networks, posts."""

"""Web and local search providers behind one interface, and the failover chain over them."""

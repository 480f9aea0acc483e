"""Research tools: search with failover, page fetch and extraction, a real browser, the URL policy."""

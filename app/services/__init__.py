"""Services: load rows, ask the domain, persist. The only layer that commits."""

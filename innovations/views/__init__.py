"""Innovation pages, a module per area: the catalogue, and adoptions."""

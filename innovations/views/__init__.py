"""Innovation pages, a module per area: the catalogue, adoptions, and the stages dashboard."""

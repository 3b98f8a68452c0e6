"""Demo and scale data for the portal, as data files, and the loaders that write them through the services."""

"""The tenant's own data as a whole: export everything, erase everything."""

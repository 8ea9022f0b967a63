"""Merging duplicate contacts into one: the rules, the locks that make it all-or-nothing, the route."""

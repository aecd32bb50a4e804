"""Models of the listings app."""

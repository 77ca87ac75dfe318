"""One module per command; each parses options and calls studydeck.api."""

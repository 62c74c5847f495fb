"""Text helpers for the geoparser: markup masking, tokens, word lists."""

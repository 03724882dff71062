"""One router per concern; each route reads its input, calls the library, picks a format."""

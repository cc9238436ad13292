"""Content and behaviour policies: each says what it saw in a message, never acts."""

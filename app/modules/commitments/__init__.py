"""The commitments register of a workshop."""

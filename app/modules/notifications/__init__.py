"""In-app notices for a person: someone mentioned them, someone replied."""

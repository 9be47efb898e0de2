"""Writing models to files."""

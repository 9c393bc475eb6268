"""What keeps stored secrets unreadable to whoever reads the database alone."""

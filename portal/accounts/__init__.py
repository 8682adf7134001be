"""Signing in and out, sessions, two-factor sign-in, passwords, and the API of the caller and of partners."""

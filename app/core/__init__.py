"""Qt-free core of the application: everything here is testable without a display."""

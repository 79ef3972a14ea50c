"""Qt adapters: threads that own the model and the database, speaking to the GUI with signals."""

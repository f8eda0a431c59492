"""Lists across clients: key candidates and potential estimates to do."""

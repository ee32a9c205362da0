"""Network → plain data. See scanner/model.py for what comes out."""

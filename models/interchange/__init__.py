"""The interchange file: validate, import and export."""

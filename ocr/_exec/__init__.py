"""One module per external program; nothing outside `ocr` calls them directly."""

"""The Textual user interface: the App, its screens and widgets, and their styles."""

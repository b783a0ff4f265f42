"""Qt-free domain: code dataclasses, billing rules, and the text that is copied."""

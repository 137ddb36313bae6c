"""A searchable news archive for journalists."""

__version__ = "0.1.0"

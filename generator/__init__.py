"""Weekly edition generator: usage snapshot → facts → story → charts → html, md, pdf, email."""

__version__ = "0.1.0"

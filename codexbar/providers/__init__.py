"""One package per provider: ``__init__`` holds the DESCRIPTOR (data only), ``sources`` the I/O,
``parse`` the pure response parsers."""

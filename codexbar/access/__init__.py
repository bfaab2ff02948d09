"""The only modules that touch the outside world: HTTP, files, keyring, cookies, executables."""

//! Service configuration: command-line options, environment variables and the optional TOML file, with secrets redacted.

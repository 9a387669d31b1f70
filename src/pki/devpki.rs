//! The development PKI: a root, an intermediate, a timestamping certificate, unit seals and personal certificates for the demo organisation. Never for production.

//! The trust store: trust anchors, intermediate certificates and CRLs loaded from files and folders.

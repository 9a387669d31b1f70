//! PAdES signing: prepares a PDF for a signature, obtains the CMS from a signer (local or deferred) and embeds it.

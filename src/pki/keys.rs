//! Private keys: loading PKCS#8, PKCS#1, SEC1 and PKCS#12 files, and sealing server-held keys at rest.

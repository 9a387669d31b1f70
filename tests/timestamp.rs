//! RFC 3161 timestamping: the authority in process and as `vanthu serve` (`POST /tsa`), answering
//! OpenSSL and pyHanko; serial numbers unique across restarts and instances; the client against
//! our authority and against misbehaving fake TSAs; the validation of good and tampered tokens.

mod common;

#[path = "timestamp/authority.rs"]
mod authority;
#[path = "timestamp/cli.rs"]
mod cli;
#[path = "timestamp/client.rs"]
mod client;
#[path = "timestamp/fakes.rs"]
mod fakes;
#[path = "timestamp/ltv.rs"]
mod ltv;
#[path = "timestamp/openssl.rs"]
mod openssl;
#[path = "timestamp/peers.rs"]
mod peers;
#[path = "timestamp/serve.rs"]
mod serve;
#[path = "timestamp/support.rs"]
mod support;
#[path = "timestamp/validate.rs"]
mod validate;

//! The hash-chained, append-only audit log: what an event holds, its canonical encoding, how an
//! event is sealed onto the chain, and how a chain read back from storage is verified.
//!
//! # Canonical encoding (version 1)
//!
//! An event's hash is SHA-256 over these bytes, in this order:
//!
//! 1. the 16 ASCII bytes `vanthu-audit-v1\n` (a domain tag, so no other hash collides by accident);
//! 2. the previous event's 32-byte hash (32 zero bytes for the first event);
//! 3. nine fields, each written as a 1-byte presence flag (`0` absent, `1` present) followed, when
//!    present, by its length as an unsigned 64-bit big-endian integer and its UTF-8 bytes:
//!    `seq` (decimal), `occurred_at` (RFC 3339 in UTC with exactly six fraction digits,
//!    e.g. `2026-03-09T03:08:00.000000Z`), `actor_user_id` (decimal), `actor`, `unit_id`
//!    (decimal), `action`, `object_kind`, `object_id`, `details` (the JSON text exactly as stored).
//!
//! Length prefixes make the encoding injective: no two different events give the same bytes.
//! The details are hashed as the stored text, never as a re-encoding, so a database that
//! normalises JSON could not silently change what was hashed (PostgreSQL keeps them as `TEXT`).
//! Times are truncated to whole microseconds before sealing because PostgreSQL keeps no more.
//!
//! # Tail deletion
//!
//! A chain alone cannot show that its newest events were deleted. The store keeps a one-row
//! chain head (sequence number and hash of the newest event), updated in the same transaction as
//! every append; `verify` compares the recomputed chain with it. Someone able to rewrite both the
//! events and the head can still rewrite history: `vanthu audit verify` prints the head so that it
//! can be recorded outside the database.

use std::fmt;

use ring::digest::{Context, SHA256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// SHA-256 of an event's canonical encoding.
pub type EventHash = [u8; 32];

/// The `prev_hash` of the first event.
pub const GENESIS: EventHash = [0; 32];

const DOMAIN_TAG: &[u8; 16] = b"vanthu-audit-v1\n";

/// Who did something: a signed-in user, or the system itself (start-up seeding, the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// The username, or a name such as `system` or `cli` for actions without a user.
    pub name: String,
    /// The actor's unit at the time of the action.
    pub unit_id: Option<i64>,
}

impl Actor {
    pub fn user(user_id: i64, username: &str, unit_id: i64) -> Self {
        Actor {
            user_id: Some(user_id),
            name: username.to_string(),
            unit_id: Some(unit_id),
        }
    }

    /// An action taken by the service or an operator's command, not by a signed-in user.
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
            unit_id: None,
        }
    }
}

/// An event as a use case describes it, before the store gives it a place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditDraft {
    pub actor: Actor,
    /// Dotted verb, e.g. `unit.create`, `user.set_password`, `auth.login`.
    pub action: &'static str,
    /// What kind of object changed: `unit`, `user`, `session`, …
    pub object_kind: &'static str,
    /// The object's stable key (a unit code, a username, …).
    pub object_id: String,
    /// Further facts as a JSON object (never secrets).
    pub details: serde_json::Value,
}

impl AuditDraft {
    pub fn new(
        actor: &Actor,
        action: &'static str,
        object_kind: &'static str,
        object_id: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        AuditDraft {
            actor: actor.clone(),
            action,
            object_kind,
            object_id: object_id.into(),
            details,
        }
    }
}

/// An event on the chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain, 1 for the first event, without gaps.
    pub seq: i64,
    pub occurred_at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub unit_id: Option<i64>,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    /// The details' JSON text exactly as hashed.
    pub details: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The newest event's position and hash, kept beside the chain to reveal deleted tail events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: EventHash,
}

impl ChainHead {
    /// The head of an empty chain.
    pub const EMPTY: ChainHead = ChainHead {
        seq: 0,
        hash: GENESIS,
    };
}

/// Gives a draft its place after `head`: sequence number, time (truncated to microseconds),
/// previous hash and its own hash. Returns the event and the chain's new head.
pub fn seal(draft: &AuditDraft, head: ChainHead, now: OffsetDateTime) -> (AuditEvent, ChainHead) {
    let occurred_at = truncate_to_micros(now);
    let mut event = AuditEvent {
        seq: head.seq + 1,
        occurred_at,
        actor_user_id: draft.actor.user_id,
        actor: draft.actor.name.clone(),
        unit_id: draft.actor.unit_id,
        action: draft.action.to_string(),
        object_kind: draft.object_kind.to_string(),
        object_id: draft.object_id.clone(),
        details: draft.details.to_string(),
        prev_hash: head.hash.to_vec(),
        hash: Vec::new(),
    };
    let hash = event_hash(&event, &head.hash);
    event.hash = hash.to_vec();
    let new_head = ChainHead {
        seq: event.seq,
        hash,
    };
    (event, new_head)
}

/// The hash an event should carry given its fields and the previous event's hash.
pub fn event_hash(event: &AuditEvent, prev_hash: &EventHash) -> EventHash {
    let mut context = Context::new(&SHA256);
    context.update(DOMAIN_TAG);
    context.update(prev_hash);
    let fields: [Option<String>; 9] = [
        Some(event.seq.to_string()),
        Some(format_time(event.occurred_at)),
        event.actor_user_id.map(|id| id.to_string()),
        Some(event.actor.clone()),
        event.unit_id.map(|id| id.to_string()),
        Some(event.action.clone()),
        Some(event.object_kind.clone()),
        Some(event.object_id.clone()),
        Some(event.details.clone()),
    ];
    for field in &fields {
        match field {
            None => context.update(&[0]),
            Some(text) => {
                context.update(&[1]);
                context.update(&(text.len() as u64).to_be_bytes());
                context.update(text.as_bytes());
            }
        }
    }
    let digest = context.finish();
    let mut hash = GENESIS;
    hash.copy_from_slice(digest.as_ref());
    hash
}

fn truncate_to_micros(time: OffsetDateTime) -> OffsetDateTime {
    let utc = time.to_offset(time::UtcOffset::UTC);
    let micros = utc.microsecond();
    utc.replace_microsecond(micros).unwrap_or(utc)
}

/// RFC 3339 in UTC with exactly six fraction digits.
fn format_time(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    let date = utc.date();
    let clock = utc.time();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second(),
        clock.microsecond()
    )
}

/// Formats a time the way the audit log shows it (RFC 3339).
pub fn display_time(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| format_time(time))
}

/// The first place where a stored chain stops being what was appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    #[error(
        "event #{found} is out of place: expected #{expected} (an event was deleted or inserted)"
    )]
    Gap { expected: i64, found: i64 },
    #[error("event #{seq} does not point to the hash of event #{previous}")]
    PrevHashMismatch { seq: i64, previous: i64 },
    #[error("event #{seq} was changed after it was written: its hash does not match its contents")]
    HashMismatch { seq: i64 },
    #[error(
        "the chain ends at event #{last_seq} but its head records #{head_seq}: events were deleted from the end"
    )]
    TailMissing { last_seq: i64, head_seq: i64 },
    #[error("the chain head does not match event #{seq}: the head or the last event was rewritten")]
    HeadMismatch { seq: i64 },
    #[error("events exist but the chain head is missing")]
    HeadMissing,
}

impl BrokenLink {
    /// The sequence number of the first event that cannot be trusted.
    pub fn first_bad_seq(&self) -> i64 {
        match *self {
            BrokenLink::Gap { expected, .. } => expected,
            BrokenLink::PrevHashMismatch { seq, .. }
            | BrokenLink::HashMismatch { seq }
            | BrokenLink::HeadMismatch { seq } => seq,
            BrokenLink::TailMissing { last_seq, .. } => last_seq + 1,
            BrokenLink::HeadMissing => 1,
        }
    }
}

/// Recomputes a chain page by page. Feed it every event in order, then call `finish` with the
/// stored head.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    last: ChainHead,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            last: ChainHead::EMPTY,
        }
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// How far the chain has been checked.
    pub fn checked(&self) -> ChainHead {
        self.last
    }

    pub fn push(&mut self, event: &AuditEvent) -> Result<(), BrokenLink> {
        let expected = self.last.seq + 1;
        if event.seq != expected {
            return Err(BrokenLink::Gap {
                expected,
                found: event.seq,
            });
        }
        if event.prev_hash.as_slice() != self.last.hash.as_slice() {
            return Err(BrokenLink::PrevHashMismatch {
                seq: event.seq,
                previous: self.last.seq,
            });
        }
        let computed = event_hash(event, &self.last.hash);
        if event.hash.as_slice() != computed.as_slice() {
            return Err(BrokenLink::HashMismatch { seq: event.seq });
        }
        self.last = ChainHead {
            seq: event.seq,
            hash: computed,
        };
        Ok(())
    }

    /// Compares the recomputed end of the chain with the stored head.
    pub fn finish(self, head: Option<ChainHead>) -> Result<ChainHead, BrokenLink> {
        let head = match head {
            Some(head) => head,
            None if self.last.seq == 0 => return Ok(ChainHead::EMPTY),
            None => return Err(BrokenLink::HeadMissing),
        };
        if head.seq > self.last.seq {
            return Err(BrokenLink::TailMissing {
                last_seq: self.last.seq,
                head_seq: head.seq,
            });
        }
        if head != self.last {
            return Err(BrokenLink::HeadMismatch { seq: self.last.seq });
        }
        Ok(self.last)
    }
}

/// A hash as lowercase hex, for messages.
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(length: usize) -> (Vec<AuditEvent>, ChainHead) {
        let actor = Actor::user(7, "vanthu.dt", 3);
        let mut head = ChainHead::EMPTY;
        let mut events = Vec::new();
        for index in 0..length {
            let draft = AuditDraft::new(
                &actor,
                "unit.create",
                "unit",
                format!("u{index}"),
                json!({"name": "Phòng 1", "index": index}),
            );
            let (event, new_head) = seal(&draft, head, OffsetDateTime::UNIX_EPOCH);
            head = new_head;
            events.push(event);
        }
        (events, head)
    }

    fn verify(events: &[AuditEvent], head: Option<ChainHead>) -> Result<ChainHead, BrokenLink> {
        let mut verifier = ChainVerifier::new();
        for event in events {
            verifier.push(event)?;
        }
        verifier.finish(head)
    }

    #[test]
    fn an_untouched_chain_verifies_up_to_its_head() {
        let (events, head) = chain(5);
        assert_eq!(verify(&events, Some(head)), Ok(head));
        assert_eq!(events[0].prev_hash, GENESIS.to_vec());
        assert_eq!(events[3].prev_hash, events[2].hash);
    }

    #[test]
    fn an_edited_field_is_the_first_broken_link() {
        let (mut events, head) = chain(5);
        events[2].details = r#"{"name":"Phòng 2","index":2}"#.into();
        assert_eq!(
            verify(&events, Some(head)),
            Err(BrokenLink::HashMismatch { seq: 3 })
        );
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let (mut events, head) = chain(5);
        events[1].actor = "quantri".into();
        let prev: EventHash = events[0].hash.as_slice().try_into().unwrap();
        events[1].hash = event_hash(&events[1], &prev).to_vec();
        assert_eq!(
            verify(&events, Some(head)),
            Err(BrokenLink::PrevHashMismatch {
                seq: 3,
                previous: 2
            })
        );
    }

    #[test]
    fn deletions_are_found_in_the_middle_and_at_the_end() {
        let (events, head) = chain(5);
        let mut middle = events.clone();
        middle.remove(2);
        assert_eq!(
            verify(&middle, Some(head)),
            Err(BrokenLink::Gap {
                expected: 3,
                found: 4
            })
        );
        let tail = &events[..4];
        let error = verify(tail, Some(head)).unwrap_err();
        assert_eq!(
            error,
            BrokenLink::TailMissing {
                last_seq: 4,
                head_seq: 5
            }
        );
        assert_eq!(error.first_bad_seq(), 5);
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let (events, _) = chain(1);
        let mut without_user = events[0].clone();
        without_user.actor_user_id = None;
        assert_ne!(
            event_hash(&events[0], &GENESIS),
            event_hash(&without_user, &GENESIS)
        );
    }

    #[test]
    fn times_are_written_with_six_fraction_digits_in_utc() {
        let time = time::macros::datetime!(2024-03-09 10:08:00.1234567 +07:00);
        assert_eq!(format_time(time), "2024-03-09T03:08:00.123456Z");
        assert_eq!(truncate_to_micros(time).nanosecond(), 123_456_000);
    }
}

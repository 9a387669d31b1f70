//! Login, sessions and logout.
//!
//! A login returns a random bearer token; the store keeps only its SHA-256, with an expiry.
//! Failed logins are counted per account; from `max_failures` consecutive failures on, the account
//! refuses logins for a while that doubles with each further failure (up to `max_lock`). While
//! refused, the password is not even checked, so the answer says nothing about it. A wrong
//! username and a wrong password get the same answer, and cost the same hashing time.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::json;
use time::OffsetDateTime;

use super::password::{spend_like_a_verification, verify_password};
use super::{Account, Service, WorkflowError, WorkflowResult, now};
use crate::audit::AuditDraft;
use crate::config::Secret;
use crate::store::{AuditBatch, Credentials, Session};

/// How long sessions live and how failed logins slow an account down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthPolicy {
    pub session_ttl: Duration,
    /// Consecutive failures after which logins are refused for a while.
    pub max_failures: i64,
    /// The first refusal period; each further failure doubles it.
    pub base_lock: Duration,
    pub max_lock: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            session_ttl: Duration::from_secs(12 * 3600),
            max_failures: 5,
            base_lock: Duration::from_secs(30),
            max_lock: Duration::from_secs(15 * 60),
        }
    }
}

impl AuthPolicy {
    /// How long logins are refused after `failures` consecutive failures (zero below the limit).
    pub fn lock_for(&self, failures: i64) -> Duration {
        if failures < self.max_failures {
            return Duration::ZERO;
        }
        let doublings = u32::try_from(failures - self.max_failures)
            .unwrap_or(u32::MAX)
            .min(16);
        self.base_lock
            .saturating_mul(1u32 << doublings)
            .min(self.max_lock)
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginSession {
    /// The bearer token, shown to the client once.
    pub token: Secret<String>,
    pub account: Account,
    pub expires_at: OffsetDateTime,
}

/// The SHA-256 under which a token's session is stored.
pub fn hash_token(token: &str) -> Vec<u8> {
    digest(&SHA256, token.as_bytes()).as_ref().to_vec()
}

fn new_token() -> WorkflowResult<String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| WorkflowError::Password("no system randomness for a session token".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The turn of one login attempt: usernames are spread over a fixed set of locks (so that random
/// usernames cannot grow a table), and attempts on the same username wait for each other.
async fn login_turn(username: &str) -> tokio::sync::MutexGuard<'static, ()> {
    use std::hash::BuildHasher;
    const STRIPES: usize = 64;
    static LOCKS: std::sync::OnceLock<(Vec<tokio::sync::Mutex<()>>, std::hash::RandomState)> =
        std::sync::OnceLock::new();
    let (locks, hashing) = LOCKS.get_or_init(|| {
        (
            (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            std::hash::RandomState::new(),
        )
    });
    let stripe = (hashing.hash_one(username.to_lowercase()) % STRIPES as u64) as usize;
    locks[stripe].lock().await
}

fn remaining(until: OffsetDateTime, now: OffsetDateTime) -> Duration {
    let left = until - now;
    // Rounded up to whole seconds, and at least one, for Retry-After.
    let seconds = left.whole_seconds().max(0) as u64 + u64::from(left.subsec_nanoseconds() > 0);
    Duration::from_secs(seconds.max(1))
}

impl Service {
    /// Checks a username and password and opens a session.
    ///
    /// Attempts on one username are taken one at a time (in this process): guesses sent in
    /// parallel the moment a lock expires would otherwise all be checked against the state read
    /// before any of them failed.
    pub async fn login(&self, username: &str, password: &str) -> WorkflowResult<LoginSession> {
        let _turn = login_turn(username).await;
        let at = now();
        let Some(credentials) = self.store.credentials(username).await? else {
            spend_like_a_verification(password).await;
            return Err(WorkflowError::BadCredentials);
        };
        if let Some(until) = credentials.locked_until.filter(|until| *until > at) {
            return Err(WorkflowError::TooManyAttempts {
                retry_after: remaining(until, at),
            });
        }
        let matches = verify_password(password, &credentials.password_hash).await;
        if !matches || !credentials.user.active {
            return self.record_failure(&credentials, at).await;
        }
        let unit = self
            .store
            .unit_by_id(credentials.user.unit_id)
            .await?
            .ok_or(WorkflowError::BadCredentials)?;
        let account = Account {
            user: credentials.user,
            unit,
        };
        let token = new_token()?;
        let ttl =
            time::Duration::try_from(self.policy.session_ttl).unwrap_or(time::Duration::hours(12));
        let session = Session {
            token_hash: hash_token(&token),
            user_id: account.user.id,
            created_at: at,
            // A configured lifetime past the end of the calendar must not overflow.
            expires_at: at
                .checked_add(ttl)
                .unwrap_or_else(|| at + time::Duration::hours(12)),
            revoked_at: None,
        };
        let mut tx = self.store.begin().await?;
        if credentials.failed_logins != 0 {
            tx.set_login_state(account.user.id, 0, None).await?;
        }
        tx.insert_session(&session).await?;
        let event = AuditDraft::new(
            &account.actor(),
            "auth.login",
            "user",
            &account.user.username,
            json!({ "expires_at": crate::audit::display_time(session.expires_at) }),
        );
        tx.commit(AuditBatch::one(event), at).await?;
        Ok(LoginSession {
            token: Secret::new(token),
            account,
            expires_at: session.expires_at,
        })
    }

    /// Counts a failed login, refusing further ones for a while once there are too many.
    async fn record_failure(
        &self,
        credentials: &Credentials,
        at: OffsetDateTime,
    ) -> WorkflowResult<LoginSession> {
        let user = &credentials.user;
        let mut tx = self.store.begin().await?;
        let failures = tx.add_login_failure(user.id).await?;
        let lock = self.policy.lock_for(failures);
        if !lock.is_zero() {
            let until = at + time::Duration::try_from(lock).unwrap_or(time::Duration::minutes(15));
            tx.set_login_state(user.id, failures, Some(until)).await?;
        }
        let actor = crate::audit::Actor::user(user.id, &user.username, user.unit_id);
        let event = AuditDraft::new(
            &actor,
            "auth.login_failed",
            "user",
            &user.username,
            json!({
                "consecutive_failures": failures,
                "locked_seconds": lock.as_secs(),
            }),
        );
        tx.commit(AuditBatch::one(event), at).await?;
        Err(WorkflowError::BadCredentials)
    }

    /// The account behind a bearer token, if its session is live and the user still active.
    pub async fn authenticate(&self, token: &str) -> WorkflowResult<Account> {
        let session = self
            .store
            .session(&hash_token(token))
            .await?
            .ok_or(WorkflowError::Unauthenticated)?;
        if session.revoked_at.is_some() || session.expires_at <= now() {
            return Err(WorkflowError::Unauthenticated);
        }
        let user = self
            .store
            .user_by_id(session.user_id)
            .await?
            .filter(|user| user.active)
            .ok_or(WorkflowError::Unauthenticated)?;
        let unit = self
            .store
            .unit_by_id(user.unit_id)
            .await?
            .ok_or(WorkflowError::Unauthenticated)?;
        Ok(Account { user, unit })
    }

    /// Ends the session of `token`.
    pub async fn logout(&self, account: &Account, token: &str) -> WorkflowResult<()> {
        let at = now();
        let mut tx = self.store.begin().await?;
        if !tx.revoke_session(&hash_token(token), at).await? {
            return Err(WorkflowError::Unauthenticated);
        }
        let event = AuditDraft::new(
            &account.actor(),
            "auth.logout",
            "user",
            &account.user.username,
            json!({}),
        );
        tx.commit(AuditBatch::one(event), at).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_starts_at_the_limit_doubles_and_is_capped() {
        let policy = AuthPolicy::default();
        assert_eq!(policy.lock_for(4), Duration::ZERO);
        assert_eq!(policy.lock_for(5), Duration::from_secs(30));
        assert_eq!(policy.lock_for(6), Duration::from_secs(60));
        assert_eq!(policy.lock_for(50), Duration::from_secs(15 * 60));
        assert_eq!(policy.lock_for(i64::MAX), Duration::from_secs(15 * 60));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let first = new_token().unwrap();
        assert_ne!(first, new_token().unwrap());
        assert_eq!(first.len(), 43);
        assert_eq!(hash_token(&first).len(), 32);
        assert_ne!(hash_token(&first), first.as_bytes());
    }
}

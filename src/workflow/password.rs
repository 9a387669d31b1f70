//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane), run
//! on the blocking thread pool so that hashing never stalls the async workers, and at most one
//! per core at a time: a flood of logins (unknown usernames cost a hash too) queues instead of
//! taking 19 MiB and a thread each.

use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::WorkflowError;

/// A slot to hash in. The permit moves into the blocking task: a request that gives up does not
/// free the slot while its hash still runs.
async fn hashing_slot() -> Option<OwnedSemaphorePermit> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Arc::new(Semaphore::new(cores))
    });
    slots.clone().acquire_owned().await.ok()
}

/// Hashes a password into a PHC string (`$argon2id$v=19$…`) with a fresh random salt.
pub async fn hash_password(password: &str) -> Result<String, WorkflowError> {
    let password = password.to_owned();
    let slot = hashing_slot().await;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        hash_now(&password)
    })
    .await
    .map_err(|error| WorkflowError::Password(error.to_string()))?
}

fn hash_now(password: &str) -> Result<String, WorkflowError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| WorkflowError::Password(error.to_string()))
}

/// Whether `password` matches the PHC string. A malformed stored hash never matches.
pub async fn verify_password(password: &str, phc: &str) -> bool {
    let password = password.to_owned();
    let phc = phc.to_owned();
    let slot = hashing_slot().await;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        verify_now(&password, &phc)
    })
    .await
    .unwrap_or(false)
}

fn verify_now(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of nothing in particular, verified against when the username is unknown so that an
/// unknown user costs as much time as a wrong password.
pub(crate) async fn spend_like_a_verification(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = match DUMMY.get() {
        Some(dummy) => dummy.clone(),
        None => {
            let fresh = hash_password("vanthu: no such account")
                .await
                .unwrap_or_default();
            DUMMY.get_or_init(|| fresh).clone()
        }
    };
    let _ = verify_password(password, &dummy).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verifiable() {
        let first = hash_password("mật khẩu dài").await.unwrap();
        let second = hash_password("mật khẩu dài").await.unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify_password("mật khẩu dài", &first).await);
        assert!(!verify_password("mật khẩu dai", &first).await);
        assert!(!verify_password("anything", "not a phc string").await);
    }
}

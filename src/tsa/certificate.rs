//! What RFC 3161 §2.3 asks of a TSA's certificate: exactly one extendedKeyUsage extension,
//! critical, whose only purpose is id-kp-timeStamping; and, when keyUsage is present, a bit that
//! allows signing. The authority refuses to start with a certificate that fails this, the client
//! refuses tokens signed with one.

use crate::pki::cert::{Certificate, OID_EKU_TIME_STAMPING};

/// Why a certificate may not sign timestamp tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TsaCertificateError {
    #[error(
        "chứng thư số «{subject}» không có mục đích timeStamping / the certificate «{subject}» lacks the timeStamping extended key usage"
    )]
    MissingEku { subject: String },
    #[error(
        "mục đích timeStamping của chứng thư số «{subject}» không được đánh dấu critical / the timeStamping extended key usage of «{subject}» is not critical"
    )]
    EkuNotCritical { subject: String },
    #[error(
        "chứng thư số «{subject}» có thêm mục đích khác ngoài timeStamping ({purposes}) / the certificate «{subject}» lists purposes besides timeStamping ({purposes})"
    )]
    EkuNotSole { subject: String, purposes: String },
    #[error(
        "keyUsage của chứng thư số «{subject}» không cho phép ký ({key_usage}) / the keyUsage of «{subject}» does not allow signing ({key_usage})"
    )]
    KeyUsageNotForSigning { subject: String, key_usage: String },
}

/// Checks the certificate's extended key usage and key usage for timestamping.
pub fn check_timestamping_usage(certificate: &Certificate) -> Result<(), TsaCertificateError> {
    let subject = certificate.subject().short();
    let eku = certificate
        .extended_key_usage()
        .filter(|eku| eku.contains(OID_EKU_TIME_STAMPING))
        .ok_or_else(|| TsaCertificateError::MissingEku {
            subject: subject.clone(),
        })?;
    if !eku.critical {
        return Err(TsaCertificateError::EkuNotCritical { subject });
    }
    if eku.purposes.len() != 1 {
        return Err(TsaCertificateError::EkuNotSole {
            subject,
            purposes: eku.names().join(", "),
        });
    }
    if let Some(usage) = certificate.key_usage()
        && !usage.digital_signature()
        && !usage.non_repudiation()
    {
        return Err(TsaCertificateError::KeyUsageNotForSigning {
            subject,
            key_usage: usage.names().join(", "),
        });
    }
    Ok(())
}

//! Low-balance email delivery over SMTP (lettre) from the outbox table.
//!
//! Alerts write emails to `email_outbox` in the same transaction as the
//! balance change that crossed the threshold, so an email exists exactly
//! once per crossing whether or not SMTP is configured. With `--smtp-url`,
//! the sweeper claims waiting emails (one instance per email, even with
//! several instances on one database), sends them and marks them sent; a
//! failed send is recorded and retried after the claim expires.

use crate::clock;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long a claim on an email lasts before another attempt may take it: 60 s.
const CLAIM_MS: i64 = 60_000;

/// An SMTP connection for outgoing alert emails.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `smtp://[user:password@]host[:port]` (plain SMTP, port 25
    /// by default: a local relay or a mail catcher; this build has no TLS)
    /// sending from `from`.
    pub fn new(url: &str, from: &str) -> AppResult<Mailer> {
        let bad = || {
            AppError::invalid(format!(
                "--smtp-url must look like smtp://[user:password@]host[:port], got {url:?}"
            ))
        };
        let rest = url.strip_prefix("smtp://").ok_or_else(bad)?;
        let (credentials, address) = match rest.rsplit_once('@') {
            Some((credentials, address)) => (Some(credentials), address),
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (host, port.parse::<u16>().map_err(|_| bad())?),
            None => (address, 25),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
        if let Some(credentials) = credentials {
            let (user, password) = credentials.split_once(':').ok_or_else(bad)?;
            builder = builder.credentials(Credentials::new(user.into(), password.into()));
        }
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| AppError::invalid(format!("--smtp-from must be an email address: {e}")))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends every waiting email not claimed by another attempt. Returns how
    /// many were sent.
    pub async fn deliver_pending(&self, services: &Services) -> AppResult<usize> {
        let pool = services.store.pool();
        let now = clock::now_ms();
        let waiting: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, to_address, subject, body FROM email_outbox WHERE sent_at IS NULL \
             AND (claimed_at IS NULL OR claimed_at < $1) ORDER BY created_at, id LIMIT 100",
        )
        .bind(now - CLAIM_MS)
        .fetch_all(pool)
        .await?;
        let mut sent = 0;
        for (id, to, subject, body) in waiting {
            let claimed = sqlx::query(
                "UPDATE email_outbox SET claimed_at = $1 WHERE id = $2 AND sent_at IS NULL \
                 AND (claimed_at IS NULL OR claimed_at < $3)",
            )
            .bind(now)
            .bind(&id)
            .bind(now - CLAIM_MS)
            .execute(pool)
            .await?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            match self.send(&to, &subject, body).await {
                Ok(()) => {
                    sqlx::query(
                        "UPDATE email_outbox SET sent_at = $1, last_error = NULL WHERE id = $2",
                    )
                    .bind(clock::now_ms())
                    .bind(&id)
                    .execute(pool)
                    .await?;
                    sent += 1;
                }
                Err(error) => {
                    tracing::warn!(email = %id, %error, "sending an alert email failed");
                    sqlx::query("UPDATE email_outbox SET last_error = $1 WHERE id = $2")
                        .bind(error.to_string())
                        .bind(&id)
                        .execute(pool)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, to: &str, subject: &str, body: String) -> AppResult<()> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| AppError::invalid(format!("alert address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| AppError::invalid(format!("alert email: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| AppError::internal(format_args!("SMTP: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::Mailer;

    #[test]
    fn smtp_urls_are_parsed_or_refused() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "alerts@example.com").is_ok());
        assert!(Mailer::new("smtp://user:secret@mail.example.com", "alerts@example.com").is_ok());
        assert!(Mailer::new("http://mail.example.com", "alerts@example.com").is_err());
        assert!(Mailer::new("smtp://host:port", "alerts@example.com").is_err());
        assert!(Mailer::new("smtp://127.0.0.1", "not an address").is_err());
    }
}

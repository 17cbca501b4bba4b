//! Rate limits: per client address (every `/v1` request, before its
//! credential is even looked at), per key or session, per project (all its
//! publishable keys together), per end user an app names (`endUser`), and
//! for sign-in per address and per email.
//! Each is a token bucket ([`RateLimit`]); a spent one answers
//! `429 rate_limited` with `Retry-After`.

use super::AppState;
use crate::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use rork_cloud_credits_core::ErrorCode;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;

/// Requests per second and burst of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once before the sustained rate applies.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `per_second` sustained, `burst` at once (both at least 1).
    pub const fn new(per_second: u32, burst: u32) -> RateLimit {
        RateLimit {
            per_second: nonzero(per_second),
            burst: nonzero(burst),
        }
    }

    fn limiter<K: Hash + Eq + Clone>(self) -> DefaultKeyedRateLimiter<K> {
        governor::RateLimiter::keyed(Quota::per_second(self.per_second).allow_burst(self.burst))
    }
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

impl Default for RateLimit {
    /// The per-key default: 50/s, burst 100.
    fn default() -> Self {
        RateLimit::new(50, 100)
    }
}

/// Every bucket's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per key, session, sign-in email (and whatever else calls
    /// [`AppState::rate_limit`]).
    pub per_key: RateLimit,
    /// Per project, shared by its publishable keys; `None`: as `per_key`.
    pub per_project: Option<RateLimit>,
    /// Per client address (IPv4 address, IPv6 /64), every `/v1` request.
    pub per_address: RateLimit,
    /// Per end user of a project (the `endUser` of holds and usage batches).
    pub per_end_user: RateLimit,
    /// Sign-in attempts per client address.
    pub sign_in_per_address: RateLimit,
}

impl Default for RateLimits {
    /// 50/s burst 100 per key and per project, 200/s burst 400 per address,
    /// 10/s burst 20 per end user, sign-in 1/s burst 20 per address.
    fn default() -> Self {
        RateLimits {
            per_key: RateLimit::default(),
            per_project: None,
            per_address: RateLimit::new(200, 400),
            per_end_user: RateLimit::new(10, 20),
            sign_in_per_address: RateLimit::new(1, 20),
        }
    }
}

/// The buckets.
pub struct Limiters {
    keys: DefaultKeyedRateLimiter<String>,
    projects: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    end_users: DefaultKeyedRateLimiter<(String, String)>,
    sign_ins: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limiters {
    /// Empty buckets of the sizes in `limits`.
    pub fn new(limits: RateLimits) -> Limiters {
        Limiters {
            keys: limits.per_key.limiter(),
            projects: limits.per_project.unwrap_or(limits.per_key).limiter(),
            addresses: limits.per_address.limiter(),
            end_users: limits.per_end_user.limiter(),
            sign_ins: limits.sign_in_per_address.limiter(),
        }
    }

    /// Counts a request against `key` (a key id, session, email...).
    pub fn key(&self, key: &str) -> Result<(), AppError> {
        check(&self.keys, &key.to_owned())
    }

    /// Counts a request against project `id` (its publishable keys share it).
    pub fn project(&self, id: &str) -> Result<(), AppError> {
        check(&self.projects, &id.to_owned())
    }

    /// Counts a request naming `end_user` of project `project_id`.
    pub fn end_user(&self, project_id: &str, end_user: &str) -> Result<(), AppError> {
        check(
            &self.end_users,
            &(project_id.to_owned(), end_user.to_owned()),
        )
    }

    /// Counts a sign-in attempt from `client`.
    pub fn sign_in(&self, client: Client) -> Result<(), AppError> {
        check(&self.sign_ins, &client.0)
    }

    /// Forgets buckets that are full again (called by the sweeper).
    pub fn retain_recent(&self) {
        self.keys.retain_recent();
        self.projects.retain_recent();
        self.addresses.retain_recent();
        self.end_users.retain_recent();
        self.sign_ins.retain_recent();
    }
}

fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let mut error = AppError::new(
            ErrorCode::RateLimited,
            "too many requests; retry after the Retry-After seconds",
        );
        error.retry_after = Some(wait.as_secs() + 1);
        error
    })
}

/// The client's network as rate limits see it: its IPv4 address, or the /64
/// of its IPv6 address (one subscriber usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client(pub IpAddr);

impl Client {
    /// The network of `address`.
    pub fn of(address: IpAddr) -> Client {
        Client(match address {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !((1 << 64) - 1))),
            },
        })
    }
}

/// Middleware of every `/v1` route: counts the request against its client
/// address (`429` when spent) and leaves the [`Client`] in the request's
/// extensions. Requests without `ConnectInfo` (served other than by
/// [`super::listen::serve`]) pass.
pub async fn per_address(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| Client::of(peer.ip()));
    if let Some(client) = peer {
        if let Err(error) = check(&state.limiters.addresses, &client.0) {
            return error.into_response();
        }
        request.extensions_mut().insert(client);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::Client;
    use std::net::IpAddr;

    #[test]
    fn ipv6_clients_are_their_64_and_mapped_ipv4_is_ipv4() {
        let of = |text: &str| Client::of(text.parse::<IpAddr>().unwrap()).0.to_string();
        assert_eq!(of("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
        assert_eq!(of("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(of("192.0.2.7"), "192.0.2.7");
    }
}

//! The file-descriptor budget: the soft `RLIMIT_NOFILE` raised to the hard
//! limit, and the connection cap that leaves room for the rest.

/// Descriptors kept for everything but client connections: the database
/// pool (at most 10), SQLite's files, static files being served, the
/// listener, and connections being closed.
const RESERVED: u64 = 128;

/// The default cap whatever the limit: idle connections cost memory too
/// (hyper's buffers), and the oldest idle one makes room anyway.
const MOST: u64 = 10_000;

/// Raises this process's soft file-descriptor limit to its hard limit where
/// the platform allows, logs what it can hold, and returns the connection
/// cap that leaves [`RESERVED`] descriptors free (at most 10,000).
pub fn raise_file_limit() -> usize {
    let limit = raise();
    let cap = limit.saturating_sub(RESERVED).max(limit / 2).min(MOST);
    tracing::info!(
        file_limit = limit,
        max_connections = cap,
        "file descriptors: {limit}; connections at most {cap}"
    );
    usize::try_from(cap).unwrap_or(usize::MAX)
}

#[cfg(unix)]
fn raise() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    // Linux refuses more than `fs.nr_open` (2^20 by default), even with an infinite hard limit.
    let target = limit.rlim_max.min(1 << 20);
    if limit.rlim_cur < target {
        let raised = libc::rlimit {
            rlim_cur: target,
            ..limit
        };
        // SAFETY: `raised` is a valid `rlimit`; failure leaves the limit as it was.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        } else {
            tracing::warn!("cannot raise the file-descriptor limit");
        }
    }
    limit.rlim_cur
}

#[cfg(not(unix))]
fn raise() -> u64 {
    MOST + RESERVED
}

//! Accounts: sign-in identity, plan and build-credit balances (changed by [`crate::build`]).

mod password;

pub use password::Passwords;

use crate::error::{AppError, AppResult};
use crate::{build, settings};
use rork_cloud_credits_core::wire;
use sqlx::{AnyConnection, AnyPool};

/// An account as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    /// Account id.
    pub id: String,
    /// Sign-in email, lowercase.
    pub email: String,
    /// Argon2 PHC string of the password.
    pub password_hash: String,
    /// Plan name.
    pub plan: String,
    /// Build credits of the plan period (as of its last renewal).
    pub build_subscription_credits: i64,
    /// Build credits bought on top.
    pub build_usage_credits: i64,
    /// Creation time (ms).
    pub created_at: i64,
}

const COLUMNS: &str = "id, email, password_hash, plan, build_subscription_credits, \
                       build_usage_credits, created_at";

/// What a new account starts with.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Sign-in email.
    pub email: &'a str,
    /// Password (hashed with Argon2 before storing).
    pub password: &'a str,
    /// Plan name: one of [`build::plans::PLANS`], whose allowance it is granted.
    pub plan: &'a str,
    /// Usage credits it starts with (an opening adjustment).
    pub build_usage_credits: i64,
    /// Creation time (ms): the start of its first plan period.
    pub created_at: i64,
}

/// Creates an account and opens its build credits ([`build::ledger::open`]).
pub async fn create(conn: &mut AnyConnection, new: &NewAccount<'_>) -> AppResult<AccountRow> {
    build::plans::plan(new.plan)?;
    let row = AccountRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: new.email.trim().to_lowercase(),
        password_hash: password::hash(new.password.to_owned()).await?,
        plan: new.plan.to_owned(),
        build_subscription_credits: 0,
        build_usage_credits: 0,
        created_at: new.created_at,
    };
    sqlx::query(&format!(
        "INSERT INTO accounts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&row.id)
    .bind(&row.email)
    .bind(&row.password_hash)
    .bind(&row.plan)
    .bind(row.build_subscription_credits)
    .bind(row.build_usage_credits)
    .bind(row.created_at)
    .execute(&mut *conn)
    .await?;
    build::ledger::open(conn, &row.id, new.build_usage_credits).await?;
    get_in(conn, &row.id).await
}

/// The account with `email`, if any.
pub async fn by_email(pool: &AnyPool, email: &str) -> AppResult<Option<AccountRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(pool)
            .await?,
    )
}

/// The account with `id`.
pub async fn get(pool: &AnyPool, id: &str) -> AppResult<AccountRow> {
    get_in(&mut *pool.acquire().await?, id).await
}

async fn get_in(conn: &mut AnyConnection, id: &str) -> AppResult<AccountRow> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// The account with `email` if `password` is its password, checked in
/// `passwords` (`rate_limited` when that pool is full). Unknown emails cost
/// a hash verification too, so timing does not reveal which emails exist.
pub async fn authenticate(
    pool: &AnyPool,
    passwords: &Passwords,
    email: &str,
    password: &str,
) -> AppResult<AccountRow> {
    let account = by_email(pool, email).await?;
    let hash = match &account {
        Some(account) => account.password_hash.clone(),
        None => unknown_account_hash().await?,
    };
    let matches = passwords.verify(password, hash).await?;
    match account {
        Some(account) if matches => Ok(account),
        _ => Err(AppError::new(
            rork_cloud_credits_core::ErrorCode::Unauthorized,
            "wrong email or password",
        )),
    }
}

/// The account as `GET /v1/account` shows it, with its projects.
pub async fn to_wire(
    pool: &AnyPool,
    account: &AccountRow,
    public_url: &str,
) -> AppResult<wire::Account> {
    Ok(wire::Account {
        id: account.id.clone(),
        email: account.email.clone(),
        plan: account.plan.clone(),
        build_credits: wire::BuildCredits {
            subscription: build::plans::whole(account.build_subscription_credits),
            usage: build::plans::whole(account.build_usage_credits),
        },
        projects: settings::list_wire(pool, &account.id, public_url).await?,
    })
}

/// A hash of a random password, made once, verified against for unknown emails.
async fn unknown_account_hash() -> AppResult<String> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_try_init(|| password::hash(uuid::Uuid::new_v4().to_string()))
        .await
        .cloned()
}

//! The reference server's API, over real HTTP against a real database:
//! every test runs on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`).

mod common;

mod alerts;
mod attack;
mod auth;
mod bad_input;
mod build;
mod concurrency;
mod crash;
mod holds;
mod mail;
mod meta;
mod plausible;
mod projects;
mod repeats;
mod review;
mod session;
mod spend;
mod summary;
mod topups;
mod usage;

//! The package's WebAssembly modules ([`FLAVORS`]) and how each is compiled.

use crate::root;
use crate::setup::WASM_TARGET;
use std::process::Command;

/// One WebAssembly module of the package: which cargo features, where it goes.
pub struct Flavor {
    /// Its directory under `pkg/dist` (`""` for the package root).
    pub dir: &'static str,
    /// Extra `cargo build` arguments selecting its features.
    pub cargo_args: &'static [&'static str],
    /// Whether it has the client (`CloudCredits`, `Hold`: `src/js/client.js`).
    pub client: bool,
}

/// `RUSTFLAGS` of the shipped wasm: panics trap at once, without formatting a
/// message or recording where they happened (no caller ever saw either: a
/// panic in wasm is an `unreachable` trap in JS with or without them).
const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none --cfg rork_speed";

impl Flavor {
    /// The package entry this flavor is imported as (`rork-cloud-credits/estimate`).
    pub fn entry(&self) -> String {
        match self.dir {
            "" => "rork-cloud-credits".to_string(),
            dir => format!("rork-cloud-credits/{dir}"),
        }
    }

    /// `cargo build` of this flavor's release wasm with `rustflags` added to
    /// [`SIZE_RUSTFLAGS`] (callers may add a target dir).
    ///
    /// The standard library is compiled with the module (`-Zbuild-std`, from
    /// the `rust-src` component) for size: its panic machinery and `core::fmt`
    /// paths drop out, and `optimize_for_size` picks its smaller
    /// implementations: 14% less gzip for the estimate module (bench/RESULTS.md,
    /// "Size, fourth round"). These flags are unstable, so the stable
    /// toolchain is told to accept them (`RUSTC_BOOTSTRAP=1`) for this build
    /// only; a toolchain that renames one fails this build with rustc's message.
    pub fn cargo_build(&self, rustflags: &str) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(root())
            .args(["build", "--release", "--target", WASM_TARGET])
            .args(["--package", "rork-cloud-credits"])
            .args(self.cargo_args)
            .args([
                "-Zbuild-std=std,panic_abort",
                "-Zbuild-std-features=optimize_for_size",
            ])
            // The core and rust_decimal for size, but for the hot path the
            // core marks for speed (`rork_speed` in SIZE_RUSTFLAGS): 12.5 KB
            // less gzip for the whole SDK; the workspace profile keeps them
            // at 3 for the server.
            .args(
                ["rork-cloud-credits-core", "rust_decimal"]
                    .iter()
                    .flat_map(|package| {
                        [
                            "--config".to_string(),
                            format!("profile.release.package.{package}.opt-level=\"z\""),
                        ]
                    }),
            )
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", format!("{SIZE_RUSTFLAGS} {rustflags}"))
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        cmd
    }
}

/// Every module of the package: the whole SDK at `rork-cloud-credits`, and
/// estimation alone (no `client` feature) at `rork-cloud-credits/estimate`.
pub const FLAVORS: [Flavor; 2] = [
    Flavor {
        dir: "",
        cargo_args: &[],
        client: true,
    },
    Flavor {
        dir: "estimate",
        cargo_args: &["--no-default-features"],
        client: false,
    },
];

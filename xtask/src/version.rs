//! `cargo xtask version [<x.y.z>]`: one version for the Rust crates and the
//! npm package.
//!
//! The version lives in three places that must stay equal: `[workspace.package]
//! version` and the `rork-cloud-credits-core` entry of `[workspace.dependencies]`
//! in the root `Cargo.toml`, and `"version"` in `pkg/package.json`. With a
//! version argument the step rewrites all three (only those values; every
//! other byte of both files is kept) and refreshes `Cargo.lock`; without one
//! it prints the three and fails when they differ, so CI can check them.

use crate::files::{read, write};
use crate::process;
use crate::{root, Result};
use std::process::Command;

/// Runs `cargo xtask version` with the words after `version`.
pub fn run(args: &[&str]) -> Result {
    match args {
        [] => check(),
        [version] => bump(version),
        _ => Err("usage: cargo xtask version [<major.minor.patch>]".into()),
    }
}

/// Prints the three versions and fails unless they are equal.
fn check() -> Result {
    let cargo = read(&root().join("Cargo.toml"))?;
    let npm = read(&root().join("pkg/package.json"))?;
    let found = [
        ("Cargo.toml [workspace.package]", workspace_version(&cargo)?),
        (
            "Cargo.toml rork-cloud-credits-core",
            core_dependency_version(&cargo)?,
        ),
        ("pkg/package.json", package_json_version(&npm)?),
    ];
    for (place, version) in &found {
        println!("{place:<40} {version}");
    }
    if found.iter().all(|(_, v)| *v == found[0].1) {
        Ok(())
    } else {
        Err("versions differ: run `cargo xtask version <x.y.z>` to make them equal".into())
    }
}

/// Sets every version to `version` and refreshes `Cargo.lock`.
fn bump(version: &str) -> Result {
    validate(version)?;
    let cargo_path = root().join("Cargo.toml");
    let npm_path = root().join("pkg/package.json");
    let cargo = set_cargo_versions(&read(&cargo_path)?, version)?;
    let npm = set_package_json_version(&read(&npm_path)?, version)?;
    write(&cargo_path, &cargo)?;
    write(&npm_path, &npm)?;
    process::run(Command::new("cargo").current_dir(root()).args([
        "update",
        "--workspace",
        "--offline",
    ]))?;
    println!("version {version}: Cargo.toml, Cargo.lock and pkg/package.json updated");
    println!("next: move the [Unreleased] notes in CHANGELOG.md under a [{version}] heading");
    Ok(())
}

/// Accepts `MAJOR.MINOR.PATCH` with an optional `-pre.release` suffix, as
/// semver defines them (numbers without leading zeros), and nothing else.
fn validate(version: &str) -> Result {
    let invalid = || format!("`{version}` is not a version like 1.2.3 or 1.2.3-beta.1");
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let number_ok = |n: &&str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (*n == "0" || !n.starts_with('0'))
    };
    if numbers.len() != 3 || !numbers.iter().all(number_ok) {
        return Err(invalid());
    }
    let identifier_ok = |id: &str| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit()))
    };
    if pre.is_some_and(|pre| !pre.split('.').all(identifier_ok)) {
        return Err(invalid());
    }
    Ok(())
}

/// The byte range of the quoted value of the first `key = "..."` line inside
/// the TOML table `[table]`, whose line must start with `line_start`.
fn toml_value_range(
    text: &str,
    table: &str,
    line_start: &str,
    key: &str,
) -> Result<(usize, usize)> {
    let header = format!("[{table}]");
    let mut offset = 0;
    let mut in_table = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == header;
        } else if in_table && trimmed.starts_with(line_start) {
            let needle = format!("{key} = \"");
            let start = line
                .find(&needle)
                .map(|i| offset + i + needle.len())
                .ok_or_else(|| format!("Cargo.toml: `{line_start}` in [{table}] has no {key}"))?;
            let len = text[start..]
                .find('"')
                .ok_or_else(|| format!("Cargo.toml: unterminated {key} in [{table}]"))?;
            return Ok((start, start + len));
        }
        offset += line.len();
    }
    Err(format!("Cargo.toml: no `{line_start}` in [{table}]"))
}

fn workspace_range(text: &str) -> Result<(usize, usize)> {
    toml_value_range(text, "workspace.package", "version", "version")
}

fn core_dependency_range(text: &str) -> Result<(usize, usize)> {
    toml_value_range(
        text,
        "workspace.dependencies",
        "rork-cloud-credits-core",
        "version",
    )
}

/// `[workspace.package] version` in the root Cargo.toml.
fn workspace_version(text: &str) -> Result<String> {
    let (start, end) = workspace_range(text)?;
    Ok(text[start..end].to_string())
}

/// The version of the `rork-cloud-credits-core` workspace dependency.
fn core_dependency_version(text: &str) -> Result<String> {
    let (start, end) = core_dependency_range(text)?;
    Ok(text[start..end].to_string())
}

/// The root Cargo.toml with both versions set to `version`.
fn set_cargo_versions(text: &str, version: &str) -> Result<String> {
    let mut out = text.to_string();
    // Replace the later range first so the earlier one's offsets stay valid.
    let mut ranges = [workspace_range(text)?, core_dependency_range(text)?];
    ranges.sort_unstable_by_key(|range| std::cmp::Reverse(range.0));
    for (start, end) in ranges {
        out.replace_range(start..end, version);
    }
    Ok(out)
}

/// The byte range of the top-level `"version"` value of a package.json.
fn package_json_range(text: &str) -> Result<(usize, usize)> {
    let parsed: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("pkg/package.json: {e}"))?;
    let current = parsed
        .get("version")
        .and_then(serde_json::Value::as_str)
        .ok_or("pkg/package.json has no top-level \"version\" string")?;
    let needle = format!("\"version\": \"{current}\"");
    let start = text
        .find(&needle)
        .ok_or("pkg/package.json: write `\"version\": \"x.y.z\"` on one line")?
        + needle.len()
        - current.len()
        - 1;
    Ok((start, start + current.len()))
}

/// The top-level `"version"` of a package.json.
fn package_json_version(text: &str) -> Result<String> {
    let (start, end) = package_json_range(text)?;
    Ok(text[start..end].to_string())
}

/// The package.json text with its top-level `"version"` set to `version`;
/// checked by parsing that nothing but the version changed.
fn set_package_json_version(text: &str, version: &str) -> Result<String> {
    let (start, end) = package_json_range(text)?;
    let mut out = text.to_string();
    out.replace_range(start..end, version);
    let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).map_err(|e| e.to_string());
    let mut expected = parse(text)?;
    expected["version"] = serde_json::Value::from(version);
    if parse(&out)? != expected {
        return Err("pkg/package.json: the version edit changed more than the version".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARGO: &str = r#"[workspace]
members = ["core"]

[workspace.package]
version = "0.1.0"
edition = "2021"

[workspace.dependencies]
rork-cloud-credits-core = { path = "core", version = "0.1.0" }
serde = { version = "1", default-features = false }

[package]
name = "rork-cloud-credits"
version.workspace = true

[dependencies]
js-sys = { version = "0.3" }
"#;

    const NPM: &str = r#"{
  "name": "rork-cloud-credits",
  "version": "0.1.0",
  "keywords": ["ai", "wasm"],
  "dependencies": { "dep": { "version": "0.1.0" } }
}
"#;

    #[test]
    fn bumps_exactly_the_two_cargo_versions() {
        let out = set_cargo_versions(CARGO, "1.20.3-rc.1").unwrap();
        let expected = CARGO
            .replacen(
                "version = \"0.1.0\"\nedition",
                "version = \"1.20.3-rc.1\"\nedition",
                1,
            )
            .replacen(
                "path = \"core\", version = \"0.1.0\"",
                "path = \"core\", version = \"1.20.3-rc.1\"",
                1,
            );
        assert_eq!(out, expected);
        assert_eq!(workspace_version(&out).unwrap(), "1.20.3-rc.1");
        assert_eq!(core_dependency_version(&out).unwrap(), "1.20.3-rc.1");
    }

    #[test]
    fn bumps_only_the_top_level_package_json_version() {
        let out = set_package_json_version(NPM, "0.2.0").unwrap();
        assert_eq!(
            out,
            NPM.replacen("\"version\": \"0.1.0\"", "\"version\": \"0.2.0\"", 1)
        );
        assert_eq!(package_json_version(&out).unwrap(), "0.2.0");
    }

    #[test]
    fn a_nested_version_before_the_top_level_one_is_left_alone() {
        let npm = r#"{ "engines": { "x": { "version": "9.9.9" } }, "version": "9.9.9" }"#;
        // The first textual match is the nested one: the parse check refuses the edit.
        assert!(set_package_json_version(npm, "1.0.0").is_err());
    }

    #[test]
    fn the_repository_files_are_in_step_and_editable() {
        let cargo = read(&root().join("Cargo.toml")).unwrap();
        let npm = read(&root().join("pkg/package.json")).unwrap();
        let version = workspace_version(&cargo).unwrap();
        assert_eq!(core_dependency_version(&cargo).unwrap(), version);
        assert_eq!(package_json_version(&npm).unwrap(), version);
        let bumped = set_cargo_versions(&cargo, "99.0.0").unwrap();
        assert_eq!(workspace_version(&bumped).unwrap(), "99.0.0");
        assert_eq!(core_dependency_version(&bumped).unwrap(), "99.0.0");
        set_package_json_version(&npm, "99.0.0").unwrap();
    }

    #[test]
    fn accepts_semver_and_rejects_the_rest() {
        for ok in ["0.1.0", "1.2.3", "10.20.30", "1.0.0-beta.1", "1.0.0-rc-1.x"] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.2.x",
            "v1.2.3",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3-a..b",
            "1.2.3 ",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }
}

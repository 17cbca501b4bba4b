//! `cargo xtask doc`: the TypeScript API reference, rendered by TypeDoc from
//! the package's public declarations (`pkg/dist/rork_cloud_credits.d.ts`,
//! what an app's editor shows on hover) into `target/api/`. Any TypeDoc
//! warning fails it, an exported item or property without a doc comment
//! included, so `cargo xtask test` keeps the reference clean and complete.

use crate::build;
use crate::files::write;
use crate::process;
use crate::target_dir;
use crate::{root, Result};
use std::path::PathBuf;
use std::process::Command;

/// Builds the package if needed, renders the reference and prints where it is.
pub fn run() -> Result {
    if !root().join("pkg/dist/rork_cloud_credits.d.ts").exists() {
        build::run()?;
    }
    let out = generate()?;
    println!("API reference: {}", out.join("index.html").display());
    Ok(())
}

/// Renders the reference of the built package into `target/api/`, failing on
/// any TypeDoc warning (an undocumented export, member or property among
/// them). TypeDoc runs with the TypeScript it supports, from its own npm
/// workspace (`tests/typedoc`).
pub fn generate() -> Result<PathBuf> {
    let declarations = root().join("pkg/dist/rork_cloud_credits.d.ts");
    let work = target_dir().join("api-work");
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    // The declarations are checked as an app's compiler would: strict, no skipLibCheck.
    let tsconfig = work.join("tsconfig.json");
    let config = serde_json::json!({
        "compilerOptions": {
            "strict": true,
            "noEmit": true,
            "skipLibCheck": false,
            "target": "ES2020",
            "module": "ESNext",
            "moduleResolution": "bundler",
            "lib": ["ES2020", "DOM"],
            "types": [],
        },
        "files": [declarations],
    });
    write(&tsconfig, &config.to_string())?;
    let out = target_dir().join("api");
    let typedoc = root().join("tests/typedoc/node_modules/.bin/typedoc");
    process::run(
        Command::new(typedoc)
            .current_dir(root())
            .arg("--tsconfig")
            .arg(&tsconfig)
            .arg("--entryPoints")
            .arg(&declarations)
            .arg("--out")
            .arg(&out)
            .args(["--name", "rork-cloud-credits", "--readme"])
            .arg(root().join("pkg/README.md"))
            // Every exported item, member and property needs a doc comment (on top of
            // TypeDoc's default checks: unexported types, broken links).
            .arg("--validation.notDocumented")
            // Source links need a published repository; the reference is built from a checkout.
            .args(["--disableSources", "--treatWarningsAsErrors"]),
    )?;
    Ok(out)
}

//! A throwaway PostgreSQL server for the tests: initialized in a temp
//! directory, listening on a free loopback port, stopped and deleted on drop.

use crate::process::{free_port, run};
use crate::setup;
use crate::Result;
use std::path::PathBuf;
use std::process::Command;

/// A running PostgreSQL cluster owned by this process.
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    /// Connection URL of the `postgres` database, superuser `postgres`, no password.
    pub url: String,
}

impl TempPostgres {
    /// Initializes and starts a cluster. PostgreSQL refuses to run as root,
    /// so as root the server runs as the `postgres` user Debian's package creates.
    pub fn start() -> Result<TempPostgres> {
        let bin = setup::postgres_bin()?;
        let as_postgres = setup::is_root();
        let dir = std::env::temp_dir().join(format!("rork-cc-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let port = free_port()?;
        let pg = TempPostgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            as_postgres,
        };
        let data = pg.dir.join("data");
        run(pg.command("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ]))?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            pg.dir.display()
        );
        run(pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(pg.dir.join("server.log"))
            .args(["-w", "start"]))?;
        Ok(pg)
    }

    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

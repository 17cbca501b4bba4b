//! Running commands: echoed, checked, optionally teed, and background
//! services that are stopped when their guard is dropped.

use crate::Result;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Describes a command the way a person would type it.
pub fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` with inherited output and fails unless it exits with success.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed with {status}", describe(cmd)))
    }
}

/// Runs `cmd` and returns its standard output, trimmed, when it succeeds.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `cmd`, echoing its standard output line by line and returning it
/// along with whether the command succeeded.
pub fn tee(cmd: &mut Command) -> Result<(bool, String)> {
    eprintln!("$ {}", describe(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", describe(cmd)))?;
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut echo = std::io::stdout().lock();
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::io::Result::ok)
        {
            let _ = writeln!(echo, "{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{}`: {e}", describe(cmd)))?;
    Ok((status.success(), captured))
}

/// A background process that is killed (and reaped) when dropped.
pub struct Service {
    name: String,
    child: Child,
}

impl Service {
    /// Starts `cmd` in the background.
    pub fn spawn(name: &str, cmd: &mut Command) -> Result<Service> {
        eprintln!("$ {} &", describe(cmd));
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name} (`{}`): {e}", describe(cmd)))?;
        Ok(Service {
            name: name.to_string(),
            child,
        })
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `addr` accepts TCP connections, failing early if the process exits.
    pub fn wait_for_port(&mut self, addr: SocketAddr, timeout: Duration) -> Result {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited with {status} before listening",
                    self.name
                ));
            }
            thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "{} did not listen on {addr} within {timeout:?}",
            self.name
        ))
    }

    /// Waits for the process to exit by itself (for example after Ctrl-C).
    pub fn wait(mut self) -> Result {
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for {}: {e}", self.name))?;
        eprintln!("{} stopped ({status})", self.name);
        Ok(())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

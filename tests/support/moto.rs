//! A moto server on 127.0.0.1, one Python process per [`Moto`].
//!
//! `moto_server.py` binds port 0 and prints the port, so there is no race for a free
//! port, and it exits when its stdin closes: the test process holds that pipe, so the
//! server goes away with the tests even when they are killed. Drop kills it at once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    /// Starts moto (authentication off, as moto starts) and waits until it accepts connections.
    pub fn start() -> Moto {
        let python = super::venv_bin("python");
        let script = super::support_dir().join("moto_server.py");
        let mut child = Command::new(&python)
            .arg(&script)
            // Accounts come from access keys and the world builder's header, never from here.
            .env_remove("MOTO_ACCOUNT_ID")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} {}: {e}", python.display(), script.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
        let Ok(port) = line.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "moto did not start ({} {} printed {line:?}); see its stderr above. \
                 Is the venv complete? Re-run `bash tests/run.sh`.",
                python.display(),
                script.display()
            );
        };
        Moto { child, port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Sending e-mail (sign-in codes). The default mailer writes each message as
//! a file to an outbox folder, so everything works on one machine:
//! `cargo xtask run` prints where it is, and `tailor-server outbox` shows the
//! newest messages. A real mail service plugs in as another `Mailer`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    /// One `.eml` file per message in this folder.
    Outbox(PathBuf),
    /// Kept in memory (tests).
    Memory(Arc<Mutex<Vec<Mail>>>),
}

impl Default for Mailer {
    fn default() -> Self {
        Mailer::Memory(Arc::default())
    }
}

impl Mailer {
    pub fn send(&self, mail: Mail) -> Result<(), String> {
        match self {
            Mailer::Outbox(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let now = time::OffsetDateTime::now_utc();
                let mut random = [0u8; 4];
                getrandom::fill(&mut random).map_err(|e| e.to_string())?;
                let name = format!("{}-{:08x}.eml", now.unix_timestamp_nanos(), u32::from_be_bytes(random));
                let date = now.format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
                let text = format!(
                    "To: {}\r\nFrom: Tailor <no-reply@tailor.invalid>\r\nSubject: {}\r\nDate: {date}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
                    mail.to, mail.subject, mail.body
                );
                let path = dir.join(name);
                std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
            Mailer::Memory(list) => {
                list.lock().map_err(|_| "mailer poisoned".to_string())?.push(mail);
                Ok(())
            }
        }
    }

    /// Messages kept in memory, newest last (empty for an outbox).
    pub fn sent(&self) -> Vec<Mail> {
        match self {
            Mailer::Memory(list) => list.lock().map(|l| l.clone()).unwrap_or_default(),
            Mailer::Outbox(_) => Vec::new(),
        }
    }
}

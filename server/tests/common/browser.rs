//! The API driven through the router in-process, as a browser would: an
//! environment (catalogue, store on SQLite or, with
//! `TAILOR_TEST_BACKEND=postgres`, on a fresh PostgreSQL database) and a
//! browser that keeps the cookies it is given and checks their attributes.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tailor_server::catalogue::Catalogue;
use tailor_server::mail::Mailer;
use tailor_server::site::Site;
use tailor_server::{AppState, app, store};
use tower::ServiceExt;

pub struct Env {
    pub router: Router,
    pub catalogue: Arc<Catalogue>,
    pub store: store::Store,
    pub mailer: Mailer,
    pub db: std::path::PathBuf,
    /// The PostgreSQL database, when the tests run there.
    pub pg: Option<String>,
    pub _dir: tempfile::TempDir,
}

impl Env {
    /// Another server instance on the same PostgreSQL database: its own
    /// store (pool and order committer), limits and router, as a second
    /// process would have; the mail goes to the same place. None on SQLite,
    /// where one process adds orders to a file.
    #[allow(dead_code)]
    pub async fn second_instance(&self) -> Option<Env> {
        let url = self.pg.clone()?;
        let store = store::Store::connect(&store::DatabaseUrl::parse(&url).unwrap()).await.unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState { catalogue: self.catalogue.clone(), store: store.clone(), mailer: self.mailer.clone(), limits: Default::default() };
        let router = app(state, Site::load(&tmp.path().join("no-site")));
        Some(Env { router, catalogue: self.catalogue.clone(), store, mailer: self.mailer.clone(), db: self.db.clone(), pg: Some(url), _dir: tmp })
    }

    /// Runs SQL on the test's database, behind the server's back (to tamper
    /// with it or to look inside); the first column of each row, as text.
    pub async fn sql(&self, statement: &str) -> Vec<String> {
        match &self.pg {
            Some(url) => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                let rows = client.simple_query(statement).await.unwrap();
                rows.iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or_default().to_string()),
                        tokio_postgres::SimpleQueryMessage::CommandComplete(n) if !statement.trim_start().to_uppercase().starts_with("SELECT") => {
                            Some(format!("changed {n}"))
                        }
                        _ => None,
                    })
                    .collect()
            }
            None => {
                let conn = rusqlite::Connection::open(&self.db).unwrap();
                let mut stmt = conn.prepare(statement).unwrap();
                if stmt.column_count() == 0 {
                    let n = stmt.execute([]).unwrap();
                    return vec![format!("changed {n}")];
                }
                stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
                    .unwrap()
                    .map(|v| match v.unwrap() {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(n) => n.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect()
            }
        }
    }
}

pub fn env() -> Env {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    env_with_catalogue(&root.join("public/catalogue"))
}

pub fn env_with_catalogue(dir: &Path) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let catalogue = Arc::new(Catalogue::load(dir).unwrap());
    let db = tmp.path().join("t.db");
    let (store, pg) = if std::env::var("TAILOR_TEST_BACKEND").as_deref() == Ok("postgres") {
        let server = super::postgres_url().expect("TAILOR_TEST_BACKEND=postgres needs TAILOR_TEST_POSTGRES_URL");
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let url = super::fresh_postgres_database(&server).await;
                (store::Store::connect(&store::DatabaseUrl::parse(&url).unwrap()).await.unwrap(), Some(url))
            })
        })
    } else {
        (store::Store::open(&store::DatabaseUrl::Sqlite(db.clone())).unwrap(), None)
    };
    let mailer = Mailer::default();
    let state = AppState { catalogue: catalogue.clone(), store: store.clone(), mailer: mailer.clone(), limits: Default::default() };
    Env { router: app(state, Site::load(&tmp.path().join("no-site"))), catalogue, store, mailer, db, pg, _dir: tmp }
}

/// A browser: keeps the session cookie and the sign-in code cookie it is
/// given, may send GPC.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookie: Option<String>,
    pub code: Option<String>,
    /// The console's staff session cookie.
    pub staff: Option<String>,
    pub gpc: bool,
    /// The client's address, as the server's accept loop would give it.
    pub peer: Option<std::net::SocketAddr>,
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Browser {
    pub async fn send(&mut self, env: &Env, method: &str, uri: &str, body: Option<Value>) -> Answer {
        self.send_with(env, method, uri, body, &[]).await
    }

    pub async fn send_with(&mut self, env: &Env, method: &str, uri: &str, body: Option<Value>, extra: &[(&str, &str)]) -> Answer {
        let mut r = Request::builder().method(method).uri(uri);
        let jar: Vec<String> = [("__Host-tailor_sid", &self.cookie), ("__Host-tailor_code", &self.code), ("__Host-tailor_staff", &self.staff)]
            .iter()
            .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
            .collect();
        if !jar.is_empty() {
            r = r.header(header::COOKIE, jar.join("; "));
        }
        if self.gpc {
            r = r.header("sec-gpc", "1");
        }
        for (k, v) in extra {
            r = r.header(*k, *v);
        }
        let mut request = match body {
            Some(b) => r.header(header::CONTENT_TYPE, "application/json").body(Body::from(b.to_string())).unwrap(),
            None => r.body(Body::empty()).unwrap(),
        };
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let response = env.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            assert!(text.contains("HttpOnly") && text.contains("Secure") && text.contains("Path=/") && !text.contains("Domain"), "{text}");
            let (name, value) = text.split(';').next().unwrap().split_once('=').unwrap();
            let value = (!value.is_empty()).then(|| value.to_string());
            match name {
                "__Host-tailor_sid" => {
                    assert!(text.contains("SameSite=Lax"), "{text}");
                    self.cookie = value;
                }
                "__Host-tailor_code" => {
                    assert!(text.contains("SameSite=Strict"), "{text}");
                    self.code = value;
                }
                "__Host-tailor_staff" => {
                    assert!(text.contains("SameSite=Strict"), "{text}");
                    self.staff = value;
                }
                other => panic!("unexpected cookie {other}"),
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers }
    }

    /// A browser on the client address `ip`.
    pub fn at(ip: &str) -> Browser {
        Browser { peer: Some(format!("{ip}:40000").parse().unwrap()), ..Default::default() }
    }
}


pub async fn staff_key(env: &Env, id: &str, role: &str) -> String {
    let (key, digest) = tailor_server::staff::new_key();
    let row = store::StaffKey { id: id.into(), name: format!("{role} tester"), role: role.into(), created_at: "2026-01-01T00:00:00Z".into(), revoked_at: None };
    env.store.add_staff(row, &digest).await.unwrap();
    key
}

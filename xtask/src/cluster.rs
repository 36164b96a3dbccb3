//! A Tailor cluster on one machine, all on loopback: a PostgreSQL primary
//! with a synchronous streaming standby (Debian's packages), N
//! `tailor-server` instances and nginx in front of them as the load
//! balancer. `cargo xtask cluster` starts one and waits for Ctrl-C;
//! `cargo xtask bench cluster` and the cluster test drive one with faults.
//!
//! The servers reach the database through a multi-host connection string
//! with `target_session_attrs=read-write`, so after a failover they find the
//! new primary by themselves. Failover is PostgreSQL's own `pg_ctl promote`,
//! driven from here (the part a tool such as pg_auto_failover plays in a
//! real deployment); nothing here decides by itself which node leads.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, cmd_output, free_port, project_root, run, step, tools, wait_for_port};

/// One PostgreSQL node.
pub struct Node {
    pub name: &'static str,
    pub port: u16,
    pub data: PathBuf,
}

/// One server instance.
struct Instance {
    port: u16,
    child: Option<Child>,
}

pub struct Cluster {
    dir: PathBuf,
    server: PathBuf,
    /// The node that takes writes now, and the other one.
    pub primary: Node,
    pub standby: Node,
    instances: Vec<Instance>,
    nginx: Option<Child>,
    /// The load balancer's `host:port`.
    pub addr: String,
    site: PathBuf,
    order_rate: Option<String>,
}

pub struct Options {
    pub instances: usize,
    /// The built site the servers serve (or a missing folder: the API only).
    pub site: PathBuf,
    /// `--order-rate` for the servers (a load test comes from one address).
    pub order_rate: Option<String>,
}

impl Cluster {
    /// Installs what is missing (PostgreSQL, nginx), builds the server and
    /// starts everything; answers once nginx takes requests and the standby
    /// is synchronous.
    pub fn start(options: Options) -> Result<Cluster> {
        tools::ensure_cluster_tools()?;
        let server = crate::build_server()?;
        let dir = std::env::temp_dir().join(format!("tailor-cluster-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        tools::give_to_postgres(&dir)?;
        let primary = Node { name: "primary", port: free_port()?, data: dir.join("primary") };
        let standby = Node { name: "standby", port: free_port()?, data: dir.join("standby") };
        let mut cluster =
            Cluster { dir, server, primary, standby, instances: Vec::new(), nginx: None, addr: String::new(), site: options.site, order_rate: options.order_rate };
        step(&format!("PostgreSQL primary on 127.0.0.1:{}", cluster.primary.port));
        run(tools::as_postgres("initdb").arg("-D").arg(&cluster.primary.data).args(["-A", "trust", "-U", "postgres"]).stdout(Stdio::null()))?;
        let conf = format!(
            "\n# tailor cluster\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nwal_level = replica\nmax_wal_senders = 8\n\
             wal_log_hints = on\nsynchronous_commit = on\nfsync = on\n",
            cluster.primary.port,
            cluster.dir.display()
        );
        append(&cluster.primary.data.join("postgresql.conf"), &conf)?;
        cluster.pg_start(&cluster.primary)?;
        run(Command::new("psql").args(cluster.psql_args(cluster.primary.port)).args(["-q", "-c", "CREATE DATABASE tailor"]))?;
        cluster.make_standby()?;
        for _ in 0..options.instances {
            let port = free_port()?;
            cluster.instances.push(Instance { port, child: None });
        }
        for i in 0..options.instances {
            cluster.start_instance(i)?;
        }
        cluster.start_nginx()?;
        Ok(cluster)
    }

    fn psql_args(&self, port: u16) -> Vec<String> {
        vec!["-h".into(), "127.0.0.1".into(), "-p".into(), port.to_string(), "-U".into(), "postgres".into(), "-X".into(), "-v".into(), "ON_ERROR_STOP=1".into()]
    }

    /// Runs SQL on the primary's `tailor` database and answers its rows.
    pub fn query(&self, sql: &str) -> Result<String> {
        cmd_output(Command::new("psql").args(self.psql_args(self.primary.port)).args(["-d", "tailor", "-At", "-c", sql]))
    }

    /// The database URL the servers use: both nodes, the writable one wins.
    pub fn database_url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/tailor?target_session_attrs=read-write&connect_timeout=2",
            self.primary.port, self.standby.port
        )
    }

    fn pg_start(&self, node: &Node) -> Result<()> {
        run(tools::as_postgres("pg_ctl")
            .arg("-D")
            .arg(&node.data)
            .args(["-w", "-l"])
            .arg(self.dir.join(format!("{}.log", node.name)))
            .arg("start")
            .stdout(Stdio::null()))
    }

    /// A fresh copy of the primary, streaming from it synchronously (as
    /// `standby`), on the standby's port.
    fn make_standby(&mut self) -> Result<()> {
        step(&format!("PostgreSQL synchronous standby on 127.0.0.1:{}", self.standby.port));
        let _ = std::fs::remove_dir_all(&self.standby.data);
        run(tools::as_postgres("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &self.primary.port.to_string(), "-U", "postgres", "-X", "stream", "-c", "fast", "-R", "-D"])
            .arg(&self.standby.data))?;
        // Later lines win over the primary's settings copied with the data.
        // A standby promoted alone must not wait for a standby it lacks.
        let conf = format!(
            "\nport = {}\nprimary_conninfo = 'host=127.0.0.1 port={} user=postgres application_name=standby'\nsynchronous_standby_names = ''\n",
            self.standby.port, self.primary.port
        );
        append(&self.standby.data.join("postgresql.auto.conf"), &conf)?;
        self.pg_start(&self.standby)?;
        // The primary's commits wait for this standby from now on.
        let t0 = Instant::now();
        loop {
            let state = self.query("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'").unwrap_or_default();
            let wanted = self.query("SHOW synchronous_standby_names").unwrap_or_default();
            if state.trim() == "sync" && wanted.trim() == "standby" {
                return Ok(());
            }
            if wanted.trim() != "standby" {
                run(Command::new("psql")
                    .args(self.psql_args(self.primary.port))
                    .args(["-q", "-c", "ALTER SYSTEM SET synchronous_standby_names = 'standby'", "-c", "SELECT pg_reload_conf()"])
                    .stdout(Stdio::null()))?;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                return Err(format!("the standby did not become synchronous (state \"{}\")", state.trim()).into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts (or restarts) server instance `i`.
    pub fn start_instance(&mut self, i: usize) -> Result<()> {
        let port = self.instances[i].port;
        let log_path = self.dir.join(format!("server-{i}.log"));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
        let mut cmd = Command::new(&self.server);
        cmd.args(["--addr", &format!("127.0.0.1:{port}"), "--database-url", &self.database_url()])
            .arg("--site")
            .arg(&self.site)
            .arg("--outbox")
            .arg(self.dir.join("outbox"))
            .arg("--catalogue")
            .arg(project_root().join("public/catalogue"))
            // nginx, in front, names the client in X-Forwarded-For.
            .args(["--trusted-proxy", "127.0.0.1"]);
        if let Some(rate) = &self.order_rate {
            cmd.args(["--order-rate", rate]);
        }
        // The instances share this machine's cores: each gets its share of
        // worker threads (3 instances on 2 cores: 3,400 orders/s with one
        // thread each against 2,700 with two).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        cmd.env("TOKIO_WORKER_THREADS", (cores / self.instances.len()).max(1).to_string());
        let child = cmd.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log).spawn()?;
        self.instances[i].child = Some(child);
        wait_for_port(port, &format!("server instance {i}"), &log_path)
    }

    /// SIGKILL to server instance `i`.
    pub fn kill_instance(&mut self, i: usize) -> Result<()> {
        if let Some(mut child) = self.instances[i].child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    fn start_nginx(&mut self) -> Result<()> {
        let port = free_port()?;
        let upstreams: String = self.instances.iter().map(|i| format!("        server 127.0.0.1:{} max_fails=1 fail_timeout=1s;\n", i.port)).collect();
        let d = self.dir.display();
        // Orders carry idempotency keys, so nginx may send a POST that failed
        // on one instance to the next (`non_idempotent`).
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log warn;\nevents {{ worker_connections 4096; }}\n\
             http {{\n    access_log off;\n    client_body_temp_path {d}/nginx-body;\n    proxy_temp_path {d}/nginx-proxy;\n\
             fastcgi_temp_path {d}/nginx-fastcgi;\n    uwsgi_temp_path {d}/nginx-uwsgi;\n    scgi_temp_path {d}/nginx-scgi;\n\
             upstream tailor {{\n{upstreams}        keepalive 64;\n    }}\n\
             server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            proxy_pass http://tailor;\n\
             proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n            proxy_set_header Host $http_host;\n\
             proxy_set_header X-Forwarded-For $remote_addr;\n            proxy_connect_timeout 1s;\n\
             proxy_next_upstream error timeout http_502 non_idempotent;\n        }}\n    }}\n}}\n"
        );
        let path = self.dir.join("nginx.conf");
        std::fs::write(&path, conf)?;
        let log = std::fs::File::create(self.dir.join("nginx.out"))?;
        let child = Command::new(tools::NGINX)
            .arg("-p")
            .arg(&self.dir)
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.nginx = Some(child);
        self.addr = format!("127.0.0.1:{port}");
        wait_for_port(port, "nginx", &self.dir.join("nginx-error.log"))
    }

    /// SIGKILL to the primary's postmaster (its backends stop with it).
    pub fn kill_primary(&mut self) -> Result<()> {
        let pid = std::fs::read_to_string(self.primary.data.join("postmaster.pid"))?;
        let pid = pid.lines().next().unwrap_or_default().trim().to_string();
        run(Command::new("kill").args(["-KILL", &pid]))
    }

    /// Promotes the standby; it becomes the primary (and the old primary the
    /// node to rebuild).
    pub fn promote_standby(&mut self) -> Result<()> {
        run(tools::as_postgres("pg_ctl").arg("-D").arg(&self.standby.data).args(["-w", "promote"]).stdout(Stdio::null()))?;
        std::mem::swap(&mut self.primary, &mut self.standby);
        std::mem::swap(&mut self.primary.name, &mut self.standby.name);
        Ok(())
    }

    /// Brings back the killed node as the new primary's synchronous standby
    /// (a fresh copy: what a failover tool does when the old primary's data
    /// cannot simply rejoin).
    pub fn rebuild_standby(&mut self) -> Result<()> {
        let _ = self.pg_stop(&self.standby);
        self.make_standby()
    }

    fn pg_stop(&self, node: &Node) -> Result<()> {
        if !node.data.join("postmaster.pid").exists() {
            return Ok(());
        }
        run(tools::as_postgres("pg_ctl").arg("-D").arg(&node.data).args(["-m", "immediate", "-w", "stop"]).stdout(Stdio::null()).stderr(Stdio::null()))
    }

    /// The folder with the logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    /// Stops everything and removes the cluster's folder (kept with
    /// `TAILOR_KEEP_CLUSTER=1`, for its logs).
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: nginx's master then stops its workers too.
        if let Some(mut n) = self.nginx.take() {
            let _ = crate::terminate(&mut n);
        }
        for instance in &mut self.instances {
            if let Some(mut child) = instance.child.take() {
                let _ = crate::terminate(&mut child);
            }
        }
        let _ = self.pg_stop(&self.primary);
        let _ = self.pg_stop(&self.standby);
        if std::env::var_os("TAILOR_KEEP_CLUSTER").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn append(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// `cargo xtask cluster`: starts a cluster serving the built site and waits
/// for Ctrl-C.
pub fn cmd_cluster(instances: usize) -> Result<()> {
    tools::ensure_build_tools()?;
    crate::build_site()?;
    let cluster = Cluster::start(Options { instances, site: project_root().join("dist"), order_rate: None })?;
    println!(
        "\nTailor cluster: http://{}/ (nginx) -> {} instances -> PostgreSQL primary :{} with synchronous standby :{}\nLogs: {}\nCtrl-C stops everything.",
        cluster.addr,
        instances,
        cluster.primary.port,
        cluster.standby.port,
        cluster.dir().display()
    );
    wait_for_stop_signal()?;
    step("stopping the cluster");
    drop(cluster);
    Ok(())
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM. Both are blocked for this thread,
/// after every child is started (a blocked set is inherited), and taken
/// with sigwait, so the cluster is then stopped in order by `Drop`.
fn wait_for_stop_signal() -> Result<()> {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.thread_block()?;
    set.wait()?;
    Ok(())
}

/// A fault, at a share of the run.
struct Fault {
    at: f64,
    what: &'static str,
}

const FAULTS: [Fault; 4] = [
    Fault { at: 0.2, what: "kill an instance (SIGKILL)" },
    Fault { at: 0.35, what: "restart the instance" },
    Fault { at: 0.5, what: "kill the primary (SIGKILL) and promote the standby" },
    Fault { at: 0.7, what: "rebuild the killed primary as the synchronous standby" },
];

/// Orders per second among `times` (ms, sorted) in [from, to) ms.
fn rate(times: &[u32], from: f64, to: f64) -> f64 {
    let n = times.iter().filter(|&&t| f64::from(t) >= from && f64::from(t) < to).count();
    let seconds = (to - from) / 1000.0;
    if seconds <= 0.0 { 0.0 } else { (n as f64 / seconds).round() }
}

/// `cargo xtask bench cluster`: a cluster of `instances` servers, the load
/// generator against nginx for `seconds` with retries under the same key,
/// the faults of `FAULTS` at their moments; then every acknowledged order is
/// looked for in the database. Answers the report (one JSON object).
pub fn bench(seconds: u64, instances: usize, connections: u64, faults: bool) -> Result<serde_json::Value> {
    if faults && instances < 2 {
        return Err("the faults kill an instance: give at least 2 (or --no-faults)".into());
    }
    let root = project_root();
    let load = crate::build_load()?;
    let mut cluster = Cluster::start(Options { instances, site: root.join("target/no-site"), order_rate: Some("0".into()) })?;
    let acked_path = cluster.dir().join("acked.txt");
    step(&format!("posting orders through nginx ({}) for {seconds} s, with faults", cluster.addr));
    let mut child = Command::new(&load)
        .args(["orders", "--addr", &cluster.addr, "--seconds", &seconds.to_string(), "--connections", &connections.to_string(), "--retry", "--acked"])
        .arg(&acked_path)
        .arg("--catalogue")
        .arg(root.join("public/catalogue"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // The generator says when its clock starts (after making its orders).
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            if line.starts_with("posting orders") {
                let _ = started_tx.send(Instant::now());
            } else {
                eprintln!("{line}");
            }
        }
    });
    let started = started_rx.recv_timeout(Duration::from_secs(60)).map_err(|_| "the load generator did not start")?;
    let mut moments = Vec::new();
    let mut promoted_ms = 0.0;
    let mut primary_killed_ms = 0.0;
    for (n, fault) in FAULTS.iter().enumerate().filter(|_| faults) {
        let at = Duration::from_secs_f64(seconds as f64 * fault.at);
        if let Some(wait) = at.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        let t = started.elapsed().as_secs_f64() * 1000.0;
        println!("  {:>6.1} s  {}", t / 1000.0, fault.what);
        match n {
            0 => cluster.kill_instance(0)?,
            1 => cluster.start_instance(0)?,
            2 => {
                primary_killed_ms = t;
                cluster.kill_primary()?;
                cluster.promote_standby()?;
                promoted_ms = started.elapsed().as_secs_f64() * 1000.0;
            }
            _ => cluster.rebuild_standby()?,
        }
        moments.push((fault.what, t));
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!("the load generator failed ({}); logs in {}", out.status, cluster.dir().display()).into());
    }
    let load: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim())?;

    step("looking for every acknowledged order in the database");
    let mut by_key: std::collections::HashMap<String, std::collections::HashSet<String>> = Default::default();
    let mut times = Vec::new();
    for line in std::fs::read_to_string(&acked_path)?.lines() {
        let mut parts = line.split(' ');
        let (Some(key), Some(id), Some(ms)) = (parts.next(), parts.next(), parts.next()) else { continue };
        by_key.entry(key.to_string()).or_default().insert(id.to_string());
        times.push(ms.parse::<u32>()?);
    }
    times.sort_unstable();
    let stored: std::collections::HashSet<String> = cluster.query("SELECT id FROM orders")?.lines().map(str::to_string).collect();
    let acked_ids: std::collections::HashSet<&String> = by_key.values().flatten().collect();
    let missing = acked_ids.iter().filter(|id| !stored.contains(**id)).count();
    let duplicate_keys = by_key.values().filter(|ids| ids.len() > 1).count();
    let without_key: u64 =
        cluster.query("SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.order_id = o.id)")?.trim().parse()?;
    let sync = cluster.query("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'")?.trim().to_string();
    let end = seconds as f64 * 1000.0;
    let mut longest_gap = 0.0f64;
    let mut last = 0.0;
    for &t in times.iter().filter(|&&t| f64::from(t) <= end) {
        longest_gap = longest_gap.max(f64::from(t) - last);
        last = f64::from(t);
    }
    longest_gap = longest_gap.max(end - last);
    let accepted_again = times.iter().find(|&&t| faults && f64::from(t) > promoted_ms).map(|&t| (f64::from(t) - promoted_ms) / 1000.0);
    let faults: Vec<serde_json::Value> = moments
        .iter()
        .map(|(what, t)| {
            serde_json::json!({
                "fault": what,
                "at_s": (t / 100.0).round() / 10.0,
                "per_s_before": rate(&times, t - 3000.0, *t),
                "per_s_during": rate(&times, *t, t + 3000.0),
                "per_s_after": rate(&times, t + 3000.0, t + 6000.0),
            })
        })
        .collect();
    let report = serde_json::json!({
        "bench": "cluster",
        "instances": instances,
        "seconds": seconds,
        "connections": connections,
        "acknowledged": acked_ids.len(),
        "found_in_database": acked_ids.len() - missing,
        "acknowledged_but_missing": missing,
        "keys_with_more_than_one_order": duplicate_keys,
        "orders_without_key": without_key,
        "orders_in_database": stored.len(),
        "longest_no_order_s": (longest_gap / 100.0).round() / 10.0,
        "primary_down_s": ((promoted_ms - primary_killed_ms) / 100.0).round() / 10.0,
        "accepted_again_after_promotion_s": accepted_again.map(|s| (s * 100.0).round() / 100.0),
        "per_s_overall": rate(&times, 0.0, end),
        "faults": faults,
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "requests": load["sent"],
        "statuses": load["statuses"],
        "standby_at_end": sync,
    });
    Ok(report)
}

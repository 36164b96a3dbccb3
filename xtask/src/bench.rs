//! `cargo xtask bench engine [--wasm] MODEL [--sales FILE] [--sessions N] [--seed S] [--prepared FILE] [--recommend | --picture]`
//! `cargo xtask bench ui [--clicks N] [--seed S]`
//! `cargo xtask bench server [--seconds N] [--connections C] [--database-url URL]`

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::flags::{BenchCmd, EngineArgs, RecommendArgs, ServerArgs, UiArgs};
use crate::{
    Result, build_server, build_site, project_root, run, start_server, step, terminate, tools,
};

pub fn cmd_bench(cmd: BenchCmd) -> Result<()> {
    match cmd {
        BenchCmd::Engine(args) => engine(args),
        BenchCmd::Ui(args) => ui(args),
        BenchCmd::Server(args) => server(args),
        BenchCmd::Recommend(args) => recommend(args),
        BenchCmd::Cluster(args) => {
            let report = crate::cluster::bench(
                args.seconds,
                args.instances.into(),
                args.connections,
                !args.no_faults,
            )?;
            println!("{report}");
            Ok(())
        }
    }
}

/// The research data's folder: `$TAILOR_BENCHMARKS`, else
/// `../shared/benchmarks/configuration` beside the project.
fn benchmarks_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::var_os("TAILOR_BENCHMARKS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| project_root().join("../shared/benchmarks/configuration"));
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "benchmark data not found at {} (set TAILOR_BENCHMARKS to its folder)",
            dir.display()
        )
        .into())
    }
}

/// `tailor-engine recommend-eval` on the Renault medium line (all ten folds
/// or one), with the product's k (5) and again with k = 1.
fn recommend(RecommendArgs { seed, fold }: RecommendArgs) -> Result<()> {
    let data = benchmarks_dir()?.join("renault-br4cp");
    step("building tailor-engine (native)");
    run(Command::new("cargo")
        .args([
            "build",
            "--profile",
            "native",
            "-p",
            "tailor-engine",
            "--features",
            "cli",
        ])
        .current_dir(project_root()))?;
    for k in ["5", "1"] {
        step(&format!(
            "recommend-eval on Renault medium, seed {seed}, k {k}"
        ));
        let mut cmd = Command::new(project_root().join("target/native/tailor-engine"));
        cmd.arg("recommend-eval")
            .arg(data.join("medium_domainsorted.xml"))
            .arg("--sales")
            .arg(data.join("config_medium_filtered.txt"))
            .arg("--folds")
            .arg(data.join("index_csv_medium.txt"))
            .args(["--seed", &seed.to_string(), "--k", k]);
        if let Some(f) = fold {
            cmd.args(["--fold", &f.to_string()]);
        }
        run(&mut cmd)?;
    }
    // The catalogue's products: what the browser would download once the
    // shop has learned from 10,000 orders (random valid ones, which are
    // more varied than real ones: an upper bound).
    step("learned statistics of the catalogue's products, 10,000 random orders each, k 5");
    let catalogue = project_root().join("public/catalogue");
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(catalogue.join("index.json"))?)?;
    for product in index["products"].as_array().into_iter().flatten() {
        let file = catalogue.join(product["file"].as_str().unwrap_or_default());
        let out = Command::new(project_root().join("target/native/tailor-engine"))
            .arg("learn")
            .arg(&file)
            .args([
                "--random-orders",
                "10000",
                "--seed",
                &seed.to_string(),
                "--k",
                "5",
            ])
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "tailor-engine learn {}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let json = String::from_utf8_lossy(&out.stdout)
            .trim()
            .as_bytes()
            .to_vec();
        let gzip = crate::compress::gzip(&json)?;
        println!(
            "{}",
            serde_json::json!({ "bench": "learned-size", "product": product["id"], "orders": 10_000, "k": 5, "json_bytes": json.len(), "gzip_bytes": gzip.len() })
        );
    }
    Ok(())
}

/// Starts `cmd` with its standard output piped, returns the child and the
/// first line containing `marker` (what follows the marker, trimmed); the
/// rest of its output is read and dropped, so logging costs what it costs
/// in production without flooding the terminal.
fn start_quiet(mut cmd: Command, marker: &str) -> Result<(std::process::Child, String)> {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let found = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.split(marker).nth(1) {
                    break rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches('/')
                        .to_string();
                }
            }
            _ => return Err(format!("{cmd:?} stopped before saying \"{marker}\"").into()),
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(|l| l.ok()) {});
    Ok((child, found))
}

/// Orders per second against the real server (SQLite, durable commits),
/// then against a bare handler with a fixed answer, with the same generator.
fn server(
    ServerArgs {
        seconds,
        connections,
        database_url,
    }: ServerArgs,
) -> Result<()> {
    let root = project_root();
    let server = build_server()?;
    step("building the load generator");
    crate::run(
        Command::new("cargo")
            .args(["build", "--profile", "native", "-p", "tailor-load"])
            .current_dir(&root),
    )?;
    let load = server.with_file_name("tailor-load");
    let dir = root.join("target/bench-server");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let catalogue = root.join("public/catalogue");
    // The same load from the same generator against either target, which is
    // stopped as soon as the load ends; prints and returns the load's report.
    let load_against = |addr: &str, mut target: std::process::Child| -> Result<String> {
        let report = crate::cmd_output(
            Command::new(&load)
                .args([
                    "orders",
                    "--addr",
                    addr,
                    "--seconds",
                    &seconds.to_string(),
                    "--connections",
                    &connections.to_string(),
                ])
                .arg("--catalogue")
                .arg(&catalogue),
        );
        let _ = terminate(&mut target);
        let report = report?;
        print!("{report}");
        Ok(report)
    };

    let database_url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    step(&format!(
        "posting orders to the server ({}, durable commits) for {seconds} s",
        database_url.split(':').next().unwrap_or("")
    ));
    // The server logs (a line per order, as in production) go to a file. All
    // load comes from one address, so the per-client order limit is off.
    let port = crate::free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let log = std::fs::File::create(dir.join("server.log"))?;
    let child = Command::new(&server)
        .args(["--addr", &addr, "--order-rate", "0", "--site"])
        .arg(dir.join("no-site"))
        .arg("--catalogue")
        .arg(&catalogue)
        .arg("--database-url")
        .arg(&database_url)
        .current_dir(&root)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    crate::wait_for_port(port, "the server", &dir.join("server.log"))?;
    let orders = load_against(&addr, child)?;

    step(&format!(
        "the same load against a bare handler with a fixed answer, {seconds} s"
    ));
    let mut cmd = Command::new(&load);
    cmd.args(["bare", "--addr", "127.0.0.1:0"]);
    let (child, addr) = start_quiet(cmd, "bare handler at ")?;
    let bare = load_against(&addr, child)?;

    let rate = |json: &str| -> Result<f64> {
        let v: serde_json::Value = serde_json::from_str(json.trim())?;
        v["created_per_s"]
            .as_f64()
            .ok_or_else(|| "no created_per_s".into())
    };
    let (o, b) = (rate(&orders)?, rate(&bare)?);
    println!(
        "{}",
        serde_json::json!({"bench": "server", "orders_per_s": o, "bare_per_s": b, "share_of_bare": (o / b * 1000.0).round() / 1000.0})
    );
    Ok(())
}

/// The built site in headless Chromium: first-screen bytes and PC click latency.
fn ui(UiArgs { clicks, seed }: UiArgs) -> Result<()> {
    let (clicks, seed) = (clicks.to_string(), seed.to_string());
    tools::ensure_build_tools()?;
    tools::ensure_test_tools()?;
    build_site()?;
    let server = build_server()?;
    let root = project_root();
    let dir = root.join("target/bench-ui");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    let _ = std::fs::remove_file(&db);
    let server_args = vec![
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--database-url".into(),
        format!("sqlite://{}", db.display()),
        "--site".into(),
        "dist".into(),
    ];
    let (mut child, url) = start_server(&server, &server_args)?;
    step(&format!(
        "measuring the portal in headless Chromium ({url})"
    ));
    let outcome = run(Command::new("node")
        .arg(root.join("tests/e2e/ui-bench.mjs"))
        .args([url.as_str(), &clicks, &seed])
        .env("CHROMIUM", tools::CHROMIUM)
        .current_dir(root.join("tests/e2e")));
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

fn engine(
    EngineArgs {
        wasm,
        model,
        sales,
        sessions,
        seed,
        prepared,
        recommend,
        picture,
    }: EngineArgs,
) -> Result<()> {
    let (sessions, seed) = (sessions.to_string(), seed.to_string());
    let model = absolute(&model)?;
    let sales = sales.map(|s| absolute(&s)).transpose()?;
    let prepared = prepared.map(|p| absolute(&p)).transpose()?;
    if !wasm {
        step("building tailor-engine (native)");
        run(Command::new("cargo")
            .args([
                "build",
                "--profile",
                "native",
                "-p",
                "tailor-engine",
                "--features",
                "cli",
            ])
            .current_dir(project_root()))?;
        let mut cmd = Command::new(project_root().join("target/native/tailor-engine"));
        cmd.arg("bench")
            .arg(&model)
            .args(["--sessions", &sessions, "--seed", &seed]);
        if let Some(s) = &sales {
            cmd.arg("--sales").arg(s);
        }
        if let Some(p) = &prepared {
            cmd.arg("--prepared").arg(p);
        }
        if recommend {
            cmd.arg("--recommend");
        }
        if picture {
            cmd.arg("--picture");
        }
        step("replaying click sessions (native)");
        run(&mut cmd)?;
        return download_sizes(&model, prepared.as_deref());
    }
    tools::ensure_test_tools()?;
    step("building the benchmark for wasm32");
    let root = project_root();
    run(Command::new("cargo")
        .args([
            "build",
            "--profile",
            "wasm-bench",
            "-p",
            "tailor-bench-wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .current_dir(&root))?;
    let out = root.join("target/bench-wasm");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(root.join("target/wasm32-unknown-unknown/wasm-bench/tailor_bench_wasm.wasm")))?;
    std::fs::write(out.join("index.html"), INDEX)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/", listener.local_addr()?);
    let files = Files {
        dir: out,
        model: model.clone(),
        sales: sales.clone(),
        prepared: prepared.clone(),
    };
    std::thread::spawn(move || serve(listener, files));
    step(&format!(
        "replaying click sessions in headless Chromium ({url})"
    ));
    let name = model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    run(Command::new("node")
        .arg(root.join("tests/e2e/bench-wasm.mjs"))
        .args([
            url.as_str(),
            &name,
            &sessions,
            &seed,
            if sales.is_some() { "1" } else { "0" },
            if recommend { "1" } else { "0" },
            if picture { "1" } else { "0" },
            if prepared.is_some() { "1" } else { "0" },
        ])
        .env("CHROMIUM", tools::CHROMIUM)
        .current_dir(root.join("tests/e2e")))?;
    download_sizes(&model, prepared.as_deref())
}

/// What a browser downloads to open the model: the model file and its
/// prepared file, as stored and brotli-compressed (as the site serves them);
/// one JSON line.
fn download_sizes(model: &Path, prepared: Option<&Path>) -> Result<()> {
    let mut raw = 0;
    let mut brotli = 0;
    for file in std::iter::once(model).chain(prepared) {
        let data = std::fs::read(file)?;
        raw += data.len();
        brotli += crate::compress::brotli(&data)?.len();
    }
    println!(
        "{}",
        serde_json::json!({ "bench": "open-bytes", "open_bytes": raw, "open_brotli_bytes": brotli })
    );
    Ok(())
}

fn absolute(p: &Path) -> Result<PathBuf> {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    if !p.is_file() {
        return Err(format!("{}: no such file", p.display()).into());
    }
    Ok(p)
}

const INDEX: &str = r#"<!doctype html><meta charset="utf-8"><title>engine bench</title>
<script type="module">
import init, { runBench } from './tailor_bench_wasm.js';
await init();
window.runBench = runBench;
window.benchReady = true;
</script>"#;

struct Files {
    dir: PathBuf,
    model: PathBuf,
    sales: Option<PathBuf>,
    prepared: Option<PathBuf>,
}

/// A minimal static server for the benchmark page and its data.
fn serve(listener: TcpListener, files: Files) {
    for stream in listener.incoming().flatten() {
        let mut reader = BufReader::new(&stream);
        let mut request = String::new();
        if reader.read_line(&mut request).is_err() {
            continue;
        }
        let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
            line.clear();
        }
        let file = match path.as_str() {
            "/" => Some(files.dir.join("index.html")),
            "/model" => Some(files.model.clone()),
            "/sales" => files.sales.clone(),
            "/prepared" => files.prepared.clone(),
            p if !p.contains("..") => Some(files.dir.join(p.trim_start_matches('/'))),
            _ => None,
        };
        let body = file.and_then(|f| std::fs::read(f).ok());
        let ctype = match Path::new(&path).extension().and_then(|e| e.to_str()) {
            Some("wasm") => "application/wasm",
            Some("js") => "text/javascript",
            _ if path == "/" => "text/html; charset=utf-8",
            _ => "text/plain; charset=utf-8",
        };
        let mut s = &stream;
        let _ = match body {
            Some(b) => {
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCross-Origin-Opener-Policy: same-origin\r\nCross-Origin-Embedder-Policy: require-corp\r\nConnection: close\r\n\r\n",
                    b.len()
                );
                s.write_all(&b)
            }
            None => s.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            ),
        };
    }
}

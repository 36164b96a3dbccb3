//! `tailor-engine`: the engine on the command line.
//!
//! ```text
//! tailor-engine count MODEL
//! tailor-engine check MODEL --sales FILE
//! tailor-engine domains MODEL [--assign NAME=VALUE,...]
//! tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S]
//! ```
//! MODEL is a Tailor model (`.json`), an XCSP 2.1 file (`.xml`) or DIMACS CNF
//! (`.dimacs`, `.cnf`).

use std::process::ExitCode;
use std::time::Instant;

use tailor_engine::import::{Sales, parse_file, parse_sales};
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::problem::Problem;
use tailor_engine::{Engine, Model, bench};

const USAGE: &str = "usage:
  tailor-engine count MODEL
  tailor-engine check MODEL --sales FILE
  tailor-engine domains MODEL [--assign NAME=VALUE,...]
  tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tailor-engine: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    command: String,
    model: String,
    sales: Option<String>,
    sessions: usize,
    seed: u64,
    assign: Vec<(String, String)>,
}

fn parse_args(args: Vec<String>) -> Result<Args, String> {
    let mut it = args.into_iter();
    let command = it.next().ok_or(USAGE)?;
    if command == "-h" || command == "--help" {
        return Err(USAGE.into());
    }
    let model = it.next().ok_or_else(|| format!("{command} needs a MODEL\n{USAGE}"))?;
    let mut a = Args { command, model, sales: None, sessions: 200, seed: 1, assign: Vec::new() };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sales" => a.sales = Some(value()?),
            "--sessions" => a.sessions = value()?.parse().map_err(|e| format!("--sessions: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--assign" => {
                for pair in value()?.split(',').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').ok_or_else(|| format!("--assign: \"{pair}\" is not NAME=VALUE"))?;
                    a.assign.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            other => return Err(format!("unknown argument \"{other}\"\n{USAGE}")),
        }
    }
    Ok(a)
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))
}

/// The problem and its prices, from any supported file.
fn load(path: &str) -> Result<(Problem, Option<Vec<Vec<i64>>>), String> {
    let text = read(path)?;
    if path.to_ascii_lowercase().ends_with(".json") {
        let model = Model::from_json(path, &text).map_err(|e| e.to_string())?;
        let prices = model.prices().to_vec();
        Ok((model.problem().clone(), Some(prices)))
    } else {
        Ok((parse_file(path, &text).map_err(|e| e.to_string())?, None))
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let a = parse_args(args)?;
    let (problem, prices) = load(&a.model)?;
    let sales = match &a.sales {
        Some(path) => Some(parse_sales(path, &read(path)?, &problem).map_err(|e| e.to_string())?),
        None => None,
    };
    let started = Instant::now();
    let prices = prices.or_else(|| (a.command == "bench").then(|| Engine::synthetic_prices(&problem, a.seed)));
    let engine = Engine::new(problem, prices, DEFAULT_BUDGET).map_err(|e| format!("{}: {e:?}", a.model))?;
    let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
    match a.command.as_str() {
        "count" => {
            eprintln!("compiled in {compile_ms:.0} ms: {} variables, {} diagram nodes", engine.vars(), engine.nodes());
            println!("{}", engine.count(&vec![None; engine.vars()]));
            Ok(())
        }
        "check" => check(&engine, sales.as_ref().ok_or("check needs --sales FILE")?),
        "domains" => domains(&engine, &a.assign),
        "bench" => {
            let mut clock = {
                let t0 = Instant::now();
                move || t0.elapsed().as_secs_f64() * 1000.0
            };
            let report = bench::replay(&engine, sales.as_ref(), a.sessions, a.seed, &mut clock);
            let extra = [("vars", engine.vars().to_string()), ("nodes", engine.nodes().to_string()), ("target", "\"native\"".to_string())];
            println!("{}", report.to_json(compile_ms, peak_rss_mb(), &extra));
            Ok(())
        }
        other => Err(format!("unknown command \"{other}\"\n{USAGE}")),
    }
}

fn check(engine: &Engine, sales: &Sales) -> Result<(), String> {
    let n = engine.vars();
    let (mut accepted, mut rejected) = (0, 0);
    for order in &sales.orders {
        let reason = match sales.assignment(order, n) {
            None => {
                let cols: Vec<String> = order.unknown_columns().map(|c| engine.problem().vars[sales.vars[c]].name.clone()).collect();
                Some(format!("unknown value for {}", cols.join(", ")))
            }
            Some(fixed) if !engine.consistent(&fixed) => Some("violates the constraints".to_string()),
            Some(_) => None,
        };
        match reason {
            None => accepted += 1,
            Some(r) => {
                rejected += 1;
                println!("line {}: rejected: {r}", order.line);
            }
        }
    }
    println!("accepted {accepted} rejected {rejected}");
    Ok(())
}

fn domains(engine: &Engine, assign: &[(String, String)]) -> Result<(), String> {
    let problem = engine.problem();
    let mut fixed = vec![None; problem.vars.len()];
    for (name, value) in assign {
        let var = problem.var(name).ok_or_else(|| format!("--assign: unknown variable \"{name}\""))?;
        let v = problem.vars[var]
            .values
            .iter()
            .position(|x| x == value)
            .ok_or_else(|| format!("--assign: \"{value}\" is not a value of \"{name}\""))?;
        fixed[var] = Some(v as u32);
        if !engine.consistent(&fixed) {
            return Err(format!("--assign: {name}={value} is impossible together with the choices before it"));
        }
    }
    let analysis = engine.analyse(&fixed);
    let mut out = serde_json::Map::new();
    for (x, var) in problem.vars.iter().enumerate() {
        // A fixed variable's domain is its value; others list what remains.
        let values: Vec<serde_json::Value> = match fixed[x] {
            Some(v) => vec![var.values[v as usize].clone().into()],
            None => var.values.iter().zip(&analysis.valid[x]).filter(|(_, ok)| **ok).map(|(v, _)| v.clone().into()).collect(),
        };
        out.insert(var.name.clone(), values.into());
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}

/// Peak resident memory (Linux: VmHWM), in MiB; 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

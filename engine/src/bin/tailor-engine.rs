//! `tailor-engine`: the engine on the command line.
//!
//! ```text
//! tailor-engine count MODEL [--method M]
//! tailor-engine check MODEL --sales FILE
//! tailor-engine domains MODEL [--assign NAME=VALUE,...] [--method M]
//! tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S] [--method M]
//! ```
//! MODEL is a Tailor model (`.json`), an XCSP 2.1 file (`.xml`) or DIMACS CNF
//! (`.dimacs`, `.cnf`). `--method` is `auto` (the default: a compiled
//! diagram, or search when the model is too large to compile), `diagram` or
//! `search`; the hidden `--search-budget N` bounds the search method's trace
//! of the whole model (0: search every question anew).
//!
//! A hidden command makes larger benchmark models:
//! `tailor-engine scale MODEL.dimacs --times N [--seed S]` writes DIMACS CNF
//! made of N renamed copies of the model, each linked to the previous one by
//! random clauses that keep it satisfiable.

use std::process::ExitCode;
use std::time::Instant;

use tailor_engine::import::{Sales, parse_file, parse_sales};
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::bench::Rng;
use tailor_engine::problem::{Constraint, Lit, Problem, Var};
use tailor_engine::search::Search;
use tailor_engine::{Engine, Model, bench};

const USAGE: &str = "usage:
  tailor-engine count MODEL [--method auto|diagram|search]
  tailor-engine check MODEL --sales FILE
  tailor-engine domains MODEL [--assign NAME=VALUE,...] [--method auto|diagram|search]
  tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S] [--method auto|diagram|search]";

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
    method: String,
    search_budget: usize,
    times: usize,
}

fn parse_args(args: Vec<String>) -> Result<Args, String> {
    let mut it = args.into_iter();
    let command = it.next().ok_or(USAGE)?;
    if command == "-h" || command == "--help" {
        return Err(USAGE.into());
    }
    let model = it.next().ok_or_else(|| format!("{command} needs a MODEL\n{USAGE}"))?;
    let mut a = Args { command, model, sales: None, sessions: 200, seed: 1, assign: Vec::new(), method: "auto".into(), search_budget: DEFAULT_BUDGET, times: 10 };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sales" => a.sales = Some(value()?),
            "--sessions" => a.sessions = value()?.parse().map_err(|e| format!("--sessions: {e}"))?,
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--times" => a.times = value()?.parse().map_err(|e| format!("--times: {e}"))?,
            "--search-budget" => a.search_budget = value()?.parse().map_err(|e| format!("--search-budget: {e}"))?,
            "--method" => {
                a.method = value()?;
                if !["auto", "diagram", "search"].contains(&a.method.as_str()) {
                    return Err(format!("--method: \"{}\" is not auto, diagram or search", a.method));
                }
            }
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
    if a.command == "scale" {
        print!("{}", scale(&problem, a.times, a.seed)?);
        return Ok(());
    }
    let sales = match &a.sales {
        Some(path) => Some(parse_sales(path, &read(path)?, &problem).map_err(|e| e.to_string())?),
        None => None,
    };
    let started = Instant::now();
    let prices = prices.or_else(|| (a.command == "bench").then(|| Engine::synthetic_prices(&problem, a.seed)));
    let engine = match a.method.as_str() {
        "search" => Engine::with_search(problem, prices, a.search_budget),
        _ => Engine::new(problem, prices, DEFAULT_BUDGET).map_err(|e| format!("{}: {e:?}", a.model))?,
    };
    if a.method == "diagram" && engine.method() != "diagram" {
        return Err(format!("{}: too large to compile within {DEFAULT_BUDGET} diagram nodes", a.model));
    }
    let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
    match a.command.as_str() {
        "count" => {
            let nodes = if engine.method() == "diagram" { "diagram nodes" } else { "search trace nodes" };
            eprintln!("prepared in {compile_ms:.0} ms ({}): {} variables, {} {nodes}", engine.method(), engine.vars(), engine.nodes());
            match engine.count(&vec![None; engine.vars()]) {
                Some(count) => println!("{count}"),
                None => {
                    return Err(format!(
                        "{}: too many configurations to count exactly with the search method (the model is too large to compile)",
                        a.model
                    ));
                }
            }
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
            let extra = [
                ("vars", engine.vars().to_string()),
                ("nodes", engine.nodes().to_string()),
                ("method", format!("\"{}\"", engine.method())),
                ("parts", engine.parts().to_string()),
                ("target", "\"native\"".to_string()),
            ];
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

/// `times` renamed copies of a clause-only Boolean problem, copy `i > 0`
/// linked to copy `i - 1` by random 2- and 3-literal clauses over variables
/// that are not forced (both values valid), redrawn until the whole stays
/// satisfiable; as DIMACS CNF text.
fn scale(problem: &Problem, times: usize, seed: u64) -> Result<String, String> {
    const LINKS: usize = 36;
    let n = problem.vars.len();
    let mut clauses: Vec<Vec<Lit>> = Vec::new();
    for c in &problem.constraints {
        match c {
            Constraint::Clause(lits) => clauses.push(lits.clone()),
            _ => return Err("scale needs a DIMACS model (clauses only)".into()),
        }
    }
    if problem.vars.iter().any(|v| v.values.len() != 2) {
        return Err("scale needs a DIMACS model (Boolean variables only)".into());
    }
    let analysis = Engine::new(problem.clone(), None, DEFAULT_BUDGET).map_err(|e| format!("{e:?}"))?.analyse(&vec![None; n]);
    if !analysis.consistent {
        return Err("the model has no configuration".into());
    }
    let mut in_clause = vec![false; n];
    for l in clauses.iter().flatten() {
        in_clause[l.var] = true;
    }
    let open: Vec<usize> = (0..n).filter(|&x| in_clause[x] && analysis.valid[x].iter().all(|&v| v)).collect();
    if open.is_empty() && times > 1 {
        return Err("the model has no unforced variables to link".into());
    }
    let shift = |lits: &[Lit], copy: usize| -> Vec<Lit> { lits.iter().map(|l| Lit { var: l.var + copy * n, positive: l.positive }).collect() };
    let mut all: Vec<Constraint> = clauses.iter().map(|c| Constraint::Clause(c.clone())).collect();
    let mut rng = Rng::new(seed);
    for copy in 1..times {
        all.extend(clauses.iter().map(|c| Constraint::Clause(shift(c, copy))));
        let vars: Vec<Var> = (0..n * (copy + 1)).map(|x| Var::boolean(x.to_string())).collect();
        let mut attempts = 0;
        loop {
            let pick = |rng: &mut Rng, c: usize| Lit { var: open[rng.below(open.len())] + c * n, positive: rng.below(2) == 0 };
            let links: Vec<Constraint> = (0..LINKS)
                .map(|_| {
                    let mut lits = vec![pick(&mut rng, copy), pick(&mut rng, copy - 1)];
                    if rng.below(2) == 0 {
                        // A third literal, on a variable not yet in the clause.
                        let c = copy - rng.below(2);
                        if let Some(l) = (0..8).map(|_| pick(&mut rng, c)).find(|l| lits.iter().all(|m| m.var != l.var)) {
                            lits.push(l);
                        }
                    }
                    Constraint::Clause(lits)
                })
                .collect();
            let candidate = Problem { vars: vars.clone(), constraints: all.iter().chain(&links).cloned().collect() };
            if Search::new(&candidate).consistent(&vec![None; candidate.vars.len()]) {
                all.extend(links);
                break;
            }
            attempts += 1;
            if attempts == 100 {
                return Err(format!("no satisfiable links found for copy {copy}"));
            }
        }
    }
    let mut out = String::new();
    for copy in 0..times {
        for (x, v) in problem.vars.iter().enumerate() {
            out.push_str(&format!("c {} {}@{copy}\n", copy * n + x + 1, v.name));
        }
    }
    out.push_str(&format!("p cnf {} {}\n", n * times, all.len()));
    for c in &all {
        if let Constraint::Clause(lits) = c {
            for l in lits {
                out.push_str(&format!("{}{} ", if l.positive { "" } else { "-" }, l.var + 1));
            }
            out.push_str("0\n");
        }
    }
    Ok(out)
}

/// Peak resident memory (Linux: VmHWM), in MiB; 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

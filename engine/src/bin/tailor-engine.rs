//! `tailor-engine`: the engine on the command line.
//!
//! ```text
//! tailor-engine compile MODEL --out FILE [--method M]
//! tailor-engine count MODEL [--method M] [--prepared FILE]
//! tailor-engine check MODEL --sales FILE
//! tailor-engine domains MODEL [--assign NAME=VALUE,...] [--method M] [--prepared FILE]
//! tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S] [--method M] [--prepared FILE]
//! tailor-engine recommend-eval MODEL --sales FILE --folds FILE [--seed S] [--fold K] [--k N]
//! tailor-engine learn MODEL.json [--random-orders N] [--seed S] [--k N]
//! ```
//! MODEL is a Tailor model (`.json`), an XCSP 2.1 file (`.xml`) or DIMACS CNF
//! (`.dimacs`, `.cnf`). `--method` is `auto` (the default: the method whose
//! clicks are estimated cheapest, reported on standard error), `diagram` or
//! `search`; the hidden `--search-budget N` bounds the search method's trace
//! of the whole model (0: search every question anew).
//!
//! A hidden command makes larger benchmark models:
//! `tailor-engine scale MODEL.dimacs --times N [--seed S]` writes DIMACS CNF
//! made of N renamed copies of the model, each linked to the previous one by
//! random clauses that keep it satisfiable.
//!
//! The command is built with the `cli` feature (which brings in clap; the
//! library alone does not need it): `cargo run -p tailor-engine --features cli
//! -- count MODEL`.

use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tailor_engine::bench::Rng;
use tailor_engine::import::{Sales, parse_file, parse_sales};
use tailor_engine::mdd::DEFAULT_BUDGET;
use tailor_engine::problem::{Constraint, Lit, Problem, Var};
use tailor_engine::search::Search;
use tailor_engine::{Engine, Model, bench, recommend};

/// The usage lines, as `--help` and usage errors show them.
const USAGE: &str = "tailor-engine compile MODEL --out FILE [--method auto|diagram|search]
       tailor-engine count MODEL [--method auto|diagram|search] [--prepared FILE]
       tailor-engine check MODEL --sales FILE
       tailor-engine domains MODEL [--assign NAME=VALUE,...] [--method auto|diagram|search] [--prepared FILE]
       tailor-engine bench MODEL [--sales FILE] [--sessions N] [--seed S] [--method auto|diagram|search] [--prepared FILE]
       tailor-engine recommend-eval MODEL --sales FILE --folds FILE [--seed S] [--fold K] [--k N]
       tailor-engine learn MODEL.json [--random-orders N] [--seed S] [--k N]";

/// Tailor's configuration engine on the command line.
#[derive(Parser, Debug)]
#[command(name = "tailor-engine", override_usage = USAGE, subcommand_required = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The exact number of configurations (last line of the output).
    Count {
        #[command(flatten)]
        model: ModelArgs,
        /// Counts by an independent method instead (`tailor_engine::oracle`),
        /// sharing no code with the diagram or the search: a check on them.
        /// elimination: variable elimination over sparse tables; components:
        /// search with component caching.
        #[arg(long, value_enum, value_name = "METHOD")]
        oracle: Option<Oracle>,
    },
    /// Writes the model's prepared form (the method's diagram or search
    /// trace, with the model's fingerprint and a checksum) for --prepared,
    /// the browser and the server to load instead of compiling.
    Compile {
        #[command(flatten)]
        model: ModelArgs,
        /// The prepared file to write.
        #[arg(long, value_name = "FILE")]
        out: String,
    },
    /// Checks every order of a sales file against the model; ends with
    /// "accepted N rejected M".
    Check {
        #[command(flatten)]
        model: ModelArgs,
        /// The sales orders to check.
        #[arg(long, value_name = "FILE")]
        sales: String,
    },
    /// The values that remain for every variable, as JSON.
    Domains {
        #[command(flatten)]
        model: ModelArgs,
        /// Choices to make first, in this order (the flag may repeat).
        #[arg(long, value_name = "NAME=VALUE,...")]
        assign: Vec<String>,
    },
    /// Catalogue health: the number of valid configurations, dead and
    /// forced options (a feature model's dead and core features), and for
    /// a Tailor model also rules that never remove anything, the defaults,
    /// the price range, and options without picture or Chinese text.
    /// Exits with status 1 when there are errors.
    Lint {
        #[command(flatten)]
        model: ModelArgs,
        /// One JSON object instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// Replays click sessions and prints their timings as one JSON line.
    Bench {
        #[command(flatten)]
        model: ModelArgs,
        /// Each session assigns one order's values (else random choices).
        #[arg(long, value_name = "FILE")]
        sales: Option<String>,
        /// The number of sessions.
        #[arg(long, value_name = "N", default_value_t = 200)]
        sessions: usize,
        /// The seed of the sessions' random choices (and of made-up prices).
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Also recommends every open variable after each click, learned
        /// from the sales (or, for a catalogue model, from 10,000 random
        /// orders), k 5; adds `recommend_*` (click with recommendations)
        /// and `ranking_*` (recommendations alone) figures.
        #[arg(long)]
        recommend: bool,
        /// Instead of the clicks' answers, times drawing the picture after
        /// each click of a catalogue model with a visual.
        #[arg(long, conflicts_with = "recommend")]
        picture: bool,
    },
    /// Measures the recommender as published (recommend.md): per fold, learn
    /// from the other folds, then predict each next value of every test
    /// order along a seeded random order; one JSON line.
    RecommendEval {
        #[command(flatten)]
        model: ModelArgs,
        /// The sales orders.
        #[arg(long, value_name = "FILE")]
        sales: String,
        /// One fold number (0-9) per order of the sales file.
        #[arg(long, value_name = "FILE")]
        folds: String,
        /// The seed of the random variable orders.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Only this fold.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(0..=9))]
        fold: Option<u8>,
        /// Counts resting on fewer orders are dropped, as in the product.
        #[arg(long, value_name = "N", default_value_t = 5)]
        k: u32,
    },
    /// Prints the learned statistics (JSON) of a catalogue model trained on
    /// N random valid orders: what a browser would download, for sizing.
    Learn {
        /// A Tailor model (.json).
        #[arg(value_name = "MODEL.json")]
        model: String,
        /// The number of random orders.
        #[arg(long, value_name = "N", default_value_t = 10_000)]
        random_orders: usize,
        /// The seed of the random orders.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// Counts resting on fewer orders are dropped.
        #[arg(long, value_name = "N", default_value_t = 5)]
        k: u32,
    },
    /// Prints the picture (SVG) of a configuration of a catalogue model:
    /// its defaults, changed by a shared code and then by --assign.
    Preview {
        /// A Tailor model (.json) with a visual section.
        #[arg(value_name = "MODEL.json")]
        model: String,
        /// Choices by attribute and option id (the flag may repeat).
        #[arg(long, value_name = "ATTRIBUTE=OPTION,...")]
        assign: Vec<String>,
        /// A configuration code (from a share link) to start from.
        #[arg(long, value_name = "CODE")]
        code: Option<String>,
        /// Free texts (a monogram) by id.
        #[arg(long, value_name = "ID=TEXT")]
        text: Vec<String>,
        /// The language of labels and of the text alternative.
        #[arg(long, value_name = "en|zh", default_value = "en")]
        lang: String,
    },
    /// Writes DIMACS CNF made of N renamed copies of a DIMACS model, each
    /// linked to the previous one by random clauses that keep it satisfiable.
    #[command(hide = true)]
    Scale {
        /// A DIMACS model.
        #[arg(value_name = "MODEL")]
        model: String,
        /// The number of copies.
        #[arg(long, value_name = "N", default_value_t = 10)]
        times: usize,
        /// The seed of the random links.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
        /// With an XCSP model: its sales; the copies are linked by tables
        /// that every paired order satisfies.
        #[arg(long, value_name = "FILE")]
        sales: Option<String>,
        /// Where to write the scaled sales (with --sales).
        #[arg(long, value_name = "FILE", requires = "sales")]
        sales_out: Option<String>,
        /// Linking tables per copy (XCSP models).
        #[arg(long, value_name = "N", default_value_t = 40)]
        links: usize,
    },
}

/// The model and how to prepare it, common to the commands that use the engine.
#[derive(Args, Debug)]
struct ModelArgs {
    /// A Tailor model (.json), an XCSP 2.1 file (.xml) or DIMACS CNF (.dimacs, .cnf).
    #[arg(value_name = "MODEL")]
    model: String,
    /// auto: the method whose clicks are estimated cheapest (reported on standard error).
    #[arg(long, value_enum, default_value_t = Method::Auto)]
    method: Method,
    /// Bounds the search method's trace of the whole model (0: search every
    /// question anew).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BUDGET, hide = true)]
    search_budget: usize,
    /// A prepared file (from `compile`) to load instead of compiling; when
    /// it does not fit the model, the reason is printed and the model is
    /// compiled (by --method).
    #[arg(long, value_name = "FILE")]
    prepared: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Oracle {
    Elimination,
    Components,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Method {
    Auto,
    Diagram,
    Search,
}

fn main() -> ExitCode {
    // Usage errors (and --help) are clap's own; the rest fail here.
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tailor-engine: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--assign` values as (name, value) pairs: comma-separated `NAME=VALUE`
/// items, empty items skipped.
fn parse_assign(values: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut assign = Vec::new();
    for value in values {
        for pair in value.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("--assign: \"{pair}\" is not NAME=VALUE"))?;
            assign.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(assign)
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

/// The engine for a model, with its sales file if any, and the time its
/// preparation took (ms). With `bench_seed`, a model without prices gets
/// made-up ones from that seed.
/// How long opening a model took (ms): reading and parsing its file, then
/// compiling it or loading its prepared file.
#[derive(Clone, Copy, Debug)]
struct Timing {
    load_ms: f64,
    compile_ms: f64,
}

fn prepare(
    m: &ModelArgs,
    sales: Option<&str>,
    bench_seed: Option<u64>,
) -> Result<(Engine, Option<Sales>, Timing), String> {
    let loading = Instant::now();
    let (problem, prices) = load(&m.model)?;
    let load_ms = loading.elapsed().as_secs_f64() * 1000.0;
    let sales = match sales {
        Some(path) => Some(parse_sales(path, &read(path)?, &problem).map_err(|e| e.to_string())?),
        None => None,
    };
    let started = Instant::now();
    let prices = prices.or_else(|| bench_seed.map(|seed| Engine::synthetic_prices(&problem, seed)));
    if let Some(path) = &m.prepared {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
        match Engine::from_prepared(problem.clone(), prices.clone(), &bytes) {
            Ok(engine) => {
                eprintln!("method: {} ({})", engine.method(), engine.choice().reason);
                let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
                return Ok((
                    engine,
                    sales,
                    Timing {
                        load_ms,
                        compile_ms,
                    },
                ));
            }
            Err(why) => eprintln!("tailor-engine: {path}: {why}; compiling the model instead"),
        }
    }
    let engine = match m.method {
        Method::Search => Engine::with_search(problem, prices, m.search_budget),
        Method::Auto => Engine::new(problem, prices, DEFAULT_BUDGET)
            .map_err(|e| format!("{}: {e:?}", m.model))?,
        Method::Diagram => Engine::with_diagram(problem, prices, DEFAULT_BUDGET).map_err(|_| {
            format!(
                "{}: too large to compile within {DEFAULT_BUDGET} diagram nodes",
                m.model
            )
        })?,
    };
    let c = engine.choice();
    let us = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} µs"));
    eprintln!(
        "method: {} ({}; estimated click: diagram {}, search {})",
        c.method,
        c.reason,
        us(c.diagram_us),
        us(c.search_us)
    );
    Ok((
        engine,
        sales,
        Timing {
            load_ms,
            compile_ms: started.elapsed().as_secs_f64() * 1000.0,
        },
    ))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Scale {
            model,
            times,
            seed,
            sales,
            sales_out,
            links,
        } => {
            let (problem, _) = load(&model)?;
            match sales {
                None => print!("{}", scale(&problem, times, seed)?),
                Some(path) => {
                    let sales =
                        parse_sales(&path, &read(&path)?, &problem).map_err(|e| e.to_string())?;
                    let (xcsp, orders) = scale_tables(&problem, &sales, times, links, seed)?;
                    print!("{xcsp}");
                    if let Some(out) = sales_out {
                        std::fs::write(&out, orders)
                            .map_err(|e| format!("{out}: cannot write: {e}"))?;
                    }
                }
            }
            Ok(())
        }
        Command::Count { model, oracle: Some(oracle) } => {
            let (problem, _) = load(&model.model)?;
            let started = Instant::now();
            let count = match oracle {
                Oracle::Elimination => tailor_engine::oracle::count(&problem),
                Oracle::Components => tailor_engine::oracle::count_by_search(&problem),
            }
            .map_err(|e| format!("{}: {e}", model.model))?;
            eprintln!("counted by {oracle:?} in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
            println!("{count}");
            Ok(())
        }
        Command::Count { model, oracle: None } => {
            let (engine, _, Timing { compile_ms, .. }) = prepare(&model, None, None)?;
            let nodes = if engine.method() == "diagram" {
                "diagram nodes"
            } else {
                "search trace nodes"
            };
            eprintln!(
                "prepared in {compile_ms:.0} ms ({}): {} variables, {} {nodes}",
                engine.method(),
                engine.vars(),
                engine.nodes()
            );
            match engine.count(&vec![None; engine.vars()]) {
                Some(count) => println!("{count}"),
                None => {
                    return Err(format!(
                        "{}: too many configurations to count exactly with the search method (the model is too large to compile)",
                        model.model
                    ));
                }
            }
            Ok(())
        }
        Command::Lint { model, json } => lint(&model, json),
        Command::Compile { model, out } => {
            let (engine, _, Timing { compile_ms, .. }) = prepare(&model, None, None)?;
            let bytes = engine.to_prepared().ok_or_else(|| {
                format!(
                    "{}: nothing to prepare: neither a diagram nor a search trace fits the budget",
                    model.model
                )
            })?;
            std::fs::write(&out, &bytes).map_err(|e| format!("{out}: cannot write: {e}"))?;
            println!(
                "{out}: {} bytes ({}, prepared in {compile_ms:.0} ms)",
                bytes.len(),
                engine.method()
            );
            Ok(())
        }
        Command::Check { model, sales } => {
            let (engine, sales, _) = prepare(&model, Some(&sales), None)?;
            check(&engine, sales.as_ref().expect("a sales file was given"))
        }
        Command::RecommendEval {
            model,
            sales,
            folds,
            seed,
            fold,
            k,
        } => {
            let (engine, sales, _) = prepare(&model, Some(&sales), None)?;
            let sales = sales.expect("a sales file was given");
            let folds = recommend::parse_folds(&folds, &read(&folds)?, sales.orders.len())?;
            if let Some(f) = fold
                && !folds.contains(&f)
            {
                return Err(format!(
                    "--fold {f}: no order of the sales file is in fold {f}"
                ));
            }
            let mut clock = {
                let t0 = Instant::now();
                move || t0.elapsed().as_secs_f64() * 1000.0
            };
            let e = recommend::evaluate(&engine, &sales, &folds, seed, fold, k, &mut clock);
            println!("{}", evaluation_json(&model.model, seed, k, &e));
            Ok(())
        }
        Command::Learn {
            model,
            random_orders,
            seed,
            k,
        } => {
            if !model.to_ascii_lowercase().ends_with(".json") {
                return Err(format!("{model}: learn takes a Tailor model (.json)"));
            }
            let m = Model::from_json(&model, &read(&model)?).map_err(|e| e.to_string())?;
            let mut rng = Rng::new(seed);
            let orders: Vec<tailor_engine::Choices> = (0..random_orders)
                .map(|_| bench::random_choices(&m, &mut rng))
                .collect();
            let learned = recommend::Learned::from_orders(&m, &orders, k);
            println!(
                "{}",
                serde_json::to_string(&learned).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Preview {
            model,
            assign,
            code,
            text,
            lang,
        } => {
            let m = Model::from_json(&model, &read(&model)?).map_err(|e| e.to_string())?;
            let mut choices = match code {
                Some(c) => m.decode(&c).map_err(|e| format!("--code: {e}"))?,
                None => tailor_engine::Choices::defaults(&m),
            };
            for (a, o) in parse_assign(&assign)? {
                let at = m
                    .attribute(&a)
                    .ok_or_else(|| format!("--assign: {model} has no attribute \"{a}\""))?;
                choices.0[at] = Some(
                    m.option(at, &o)
                        .ok_or_else(|| format!("--assign: \"{o}\" is not an option of \"{a}\""))?,
                );
            }
            let mut texts = std::collections::BTreeMap::new();
            for t in &text {
                let (id, value) = t
                    .split_once('=')
                    .ok_or_else(|| format!("--text: \"{t}\" is not ID=TEXT"))?;
                texts.insert(id.to_string(), value.to_string());
            }
            let lang = if lang.starts_with("zh") { "zh" } else { "en" };
            let picture = m
                .picture(&choices, &texts, lang, "preview")
                .ok_or_else(|| format!("{model}: the model has no visual section"))?;
            println!("{}", picture.svg);
            Ok(())
        }
        Command::Domains { model, assign } => {
            let assign = parse_assign(&assign)?;
            let (engine, _, _) = prepare(&model, None, None)?;
            domains(&engine, &assign)
        }
        Command::Bench {
            model,
            sales,
            sessions,
            seed,
            recommend,
            picture,
        } => {
            if picture {
                let m = Model::from_json(&model.model, &read(&model.model)?)
                    .map_err(|e| e.to_string())?;
                if m.def().visual.is_none() {
                    return Err(format!("{}: the model has no visual section", model.model));
                }
                let t0 = Instant::now();
                let mut clock = move || t0.elapsed().as_secs_f64() * 1000.0;
                let (report, bytes) = bench::replay_picture(&m, sessions, seed, &mut clock);
                println!(
                    "{}",
                    report.to_json(
                        0.0,
                        peak_rss_mb(),
                        &[
                            ("picture", "true".into()),
                            ("max_svg_bytes", bytes.to_string()),
                            ("target", "\"native\"".into())
                        ]
                    )
                );
                return Ok(());
            }
            let (engine, sales, timing) = prepare(&model, sales.as_deref(), Some(seed))?;
            let compile_ms = timing.compile_ms;
            // What a customer waits for: the files read and parsed, the
            // model compiled or its prepared file loaded, the first answer.
            let first = Instant::now();
            let _ = engine.analyse(&vec![None; engine.vars()]);
            let open_ms = timing.load_ms + compile_ms + first.elapsed().as_secs_f64() * 1000.0;
            let file_bytes = |path: &str| std::fs::metadata(path).map_or(0, |m| m.len());
            let open_bytes =
                file_bytes(&model.model) + model.prepared.as_deref().map_or(0, file_bytes);
            let mut clock = {
                let t0 = Instant::now();
                move || t0.elapsed().as_secs_f64() * 1000.0
            };
            let mut extra = vec![
                ("vars", engine.vars().to_string()),
                ("nodes", engine.nodes().to_string()),
                ("method", format!("\"{}\"", engine.method())),
                ("work", engine.work().to_string()),
                ("choice", format!("\"{}\"", engine.choice().reason)),
                ("open_ms", format!("{open_ms:.1}")),
                ("open_bytes", open_bytes.to_string()),
                ("parts", engine.parts().to_string()),
                ("target", "\"native\"".to_string()),
            ];
            let report = if recommend {
                let catalogue = if model.model.to_ascii_lowercase().ends_with(".json") {
                    Some(
                        Model::from_json(&model.model, &read(&model.model)?)
                            .map_err(|e| e.to_string())?,
                    )
                } else {
                    None
                };
                let learned =
                    bench::bench_learned(&engine, catalogue.as_ref(), sales.as_ref(), seed);
                let shop = tailor_engine::recommend::Recommender::new(engine.problem(), &learned)
                    .map_err(|e| e.0)?;
                let (clicks, ranking) = bench::replay_recommend(
                    &engine,
                    &shop,
                    sales.as_ref(),
                    sessions,
                    seed,
                    &mut clock,
                );
                extra.extend(bench::recommend_fields(&learned, &ranking));
                clicks
            } else {
                bench::replay(&engine, sales.as_ref(), sessions, seed, &mut clock)
            };
            println!("{}", report.to_json(compile_ms, peak_rss_mb(), &extra));
            Ok(())
        }
    }
}

/// The evaluation as one JSON line.
fn evaluation_json(model: &str, seed: u64, k: u32, e: &recommend::Evaluation) -> String {
    let ratio = |hit: u64, all: u64| {
        if all == 0 {
            0.0
        } else {
            hit as f64 / all as f64
        }
    };
    let mut times = e.times_us.clone();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let folds: Vec<serde_json::Value> = e
        .folds
        .iter()
        .map(|f| {
            serde_json::json!({
                "fold": f.fold, "predictions": f.predictions, "accuracy_all": ratio(f.correct, f.predictions),
                "nontrivial": f.nontrivial, "accuracy_nontrivial": ratio(f.nontrivial_correct, f.nontrivial),
            })
        })
        .collect();
    serde_json::json!({
        "bench": "recommend", "model": model, "method": "pair-share+chow-liu", "seed": seed, "k": k,
        "predictions": e.predictions, "correct": e.correct, "accuracy_all": ratio(e.correct, e.predictions),
        "nontrivial": e.nontrivial, "accuracy_nontrivial": ratio(e.nontrivial_correct, e.nontrivial),
        "per_step": e.per_step.iter().map(|&(all, hit)| (ratio(hit, all) * 10_000.0).round() / 10_000.0).collect::<Vec<f64>>(),
        "p50_us": (at(0.5) * 10.0).round() / 10.0, "p99_us": (at(0.99) * 10.0).round() / 10.0,
        "model_bytes": e.model_bytes, "skipped": e.skipped, "folds": folds,
    })
    .to_string()
}

fn check(engine: &Engine, sales: &Sales) -> Result<(), String> {
    let n = engine.vars();
    let (mut accepted, mut rejected) = (0, 0);
    for order in &sales.orders {
        let reason = match sales.assignment(order, n) {
            None => {
                let cols: Vec<String> = order
                    .unknown_columns()
                    .map(|c| engine.problem().vars[sales.vars[c]].name.clone())
                    .collect();
                Some(format!("unknown value for {}", cols.join(", ")))
            }
            Some(fixed) if !engine.consistent(&fixed) => {
                Some("violates the constraints".to_string())
            }
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

/// `lint`: a Tailor model's health, or any problem's space (dead and
/// forced values; for Boolean variables, dead and core features).
fn lint(m: &ModelArgs, json: bool) -> Result<(), String> {
    let errors = if m.model.to_ascii_lowercase().ends_with(".json") {
        let model = Model::from_json(&m.model, &read(&m.model)?).map_err(|e| e.to_string())?;
        let health = tailor_engine::lint::health(&model);
        if json {
            println!(
                "{}",
                serde_json::to_string(&health).map_err(|e| e.to_string())?
            );
        } else {
            print!("{}", health.report());
        }
        health.errors().len()
    } else {
        let (engine, _, _) = prepare(m, None, None)?;
        let space = tailor_engine::lint::space(&engine);
        let vars = &engine.problem().vars;
        let boolean = |x: usize| vars[x].values.len() == 2 && vars[x].values[1] == "1";
        let dead_features: Vec<&str> = space
            .dead
            .iter()
            .filter(|&&(x, v)| boolean(x) && v == 1)
            .map(|&(x, _)| vars[x].name.as_str())
            .collect();
        let core_features: Vec<&str> = space
            .forced
            .iter()
            .filter(|&&(x, v)| boolean(x) && v == 1)
            .map(|&(x, _)| vars[x].name.as_str())
            .collect();
        let value =
            |&(x, v): &(usize, u32)| format!("{}={}", vars[x].name, vars[x].values[v as usize]);
        let dead_values: Vec<String> = space
            .dead
            .iter()
            .filter(|(x, _)| !boolean(*x))
            .map(value)
            .collect();
        let forced_values: Vec<String> = space
            .forced
            .iter()
            .filter(|(x, _)| !boolean(*x))
            .map(value)
            .collect();
        let errors = if space.consistent {
            dead_features.len() + dead_values.len()
        } else {
            1
        };
        if json {
            let out = serde_json::json!({
                "model": m.model, "method": engine.method(), "configurations": space.configurations,
                "consistent": space.consistent, "dead_features": dead_features, "core_features": core_features,
                "dead_values": dead_values, "forced_values": forced_values,
            });
            println!("{out}");
        } else {
            let count = space
                .configurations
                .as_deref()
                .unwrap_or("(too many to count with search)");
            println!(
                "{}: {count} valid configurations ({}, {} variables)",
                m.model,
                engine.method(),
                vars.len()
            );
            if !space.consistent {
                println!("error: no valid configuration");
            } else {
                let features = [
                    (
                        "dead features (never selected)",
                        "error: dead feature",
                        &dead_features,
                    ),
                    (
                        "core features (always selected)",
                        "core feature",
                        &core_features,
                    ),
                ];
                for (heading, item, list) in features {
                    println!("{heading}: {}", list.len());
                    list.iter().for_each(|name| println!("  {item}: {name}"));
                }
                for (heading, item, list) in [
                    ("dead values", "error: dead value", &dead_values),
                    ("forced values", "forced value", &forced_values),
                ] {
                    println!("{heading}: {}", list.len());
                    list.iter().for_each(|name| println!("  {item}: {name}"));
                }
            }
            println!("{errors} errors");
        }
        errors
    };
    if errors > 0 {
        Err(format!("{}: {errors} errors", m.model))
    } else {
        Ok(())
    }
}

fn domains(engine: &Engine, assign: &[(String, String)]) -> Result<(), String> {
    let problem = engine.problem();
    let mut fixed = vec![None; problem.vars.len()];
    for (name, value) in assign {
        let var = problem
            .var(name)
            .ok_or_else(|| format!("--assign: unknown variable \"{name}\""))?;
        let v = problem.vars[var]
            .values
            .iter()
            .position(|x| x == value)
            .ok_or_else(|| format!("--assign: \"{value}\" is not a value of \"{name}\""))?;
        fixed[var] = Some(v as u32);
        if !engine.consistent(&fixed) {
            return Err(format!(
                "--assign: {name}={value} is impossible together with the choices before it"
            ));
        }
    }
    let analysis = engine.analyse(&fixed);
    let mut out = serde_json::Map::new();
    for (x, var) in problem.vars.iter().enumerate() {
        // A fixed variable's domain is its value; others list what remains.
        let values: Vec<serde_json::Value> = match fixed[x] {
            Some(v) => vec![var.values[v as usize].clone().into()],
            None => var
                .values
                .iter()
                .zip(&analysis.valid[x])
                .filter(|(_, ok)| **ok)
                .map(|(v, _)| v.clone().into())
                .collect(),
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
    let analysis = Engine::new(problem.clone(), None, DEFAULT_BUDGET)
        .map_err(|e| format!("{e:?}"))?
        .analyse(&vec![None; n]);
    if !analysis.consistent {
        return Err("the model has no configuration".into());
    }
    let mut in_clause = vec![false; n];
    for l in clauses.iter().flatten() {
        in_clause[l.var] = true;
    }
    let open: Vec<usize> = (0..n)
        .filter(|&x| in_clause[x] && analysis.valid[x].iter().all(|&v| v))
        .collect();
    if open.is_empty() && times > 1 {
        return Err("the model has no unforced variables to link".into());
    }
    let shift = |lits: &[Lit], copy: usize| -> Vec<Lit> {
        lits.iter()
            .map(|l| Lit {
                var: l.var + copy * n,
                positive: l.positive,
            })
            .collect()
    };
    let mut all: Vec<Constraint> = clauses
        .iter()
        .map(|c| Constraint::Clause(c.clone()))
        .collect();
    let mut rng = Rng::new(seed);
    for copy in 1..times {
        all.extend(clauses.iter().map(|c| Constraint::Clause(shift(c, copy))));
        let vars: Vec<Var> = (0..n * (copy + 1))
            .map(|x| Var::boolean(x.to_string()))
            .collect();
        let mut attempts = 0;
        loop {
            let pick = |rng: &mut Rng, c: usize| Lit {
                var: open[rng.below(open.len())] + c * n,
                positive: rng.below(2) == 0,
            };
            let links: Vec<Constraint> = (0..LINKS)
                .map(|_| {
                    let mut lits = vec![pick(&mut rng, copy), pick(&mut rng, copy - 1)];
                    if rng.below(2) == 0 {
                        // A third literal, on a variable not yet in the clause.
                        let c = copy - rng.below(2);
                        if let Some(l) = (0..8)
                            .map(|_| pick(&mut rng, c))
                            .find(|l| lits.iter().all(|m| m.var != l.var))
                        {
                            lits.push(l);
                        }
                    }
                    Constraint::Clause(lits)
                })
                .collect();
            let candidate = Problem {
                vars: vars.clone(),
                constraints: all.iter().chain(&links).cloned().collect(),
            };
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
                out.push_str(&format!(
                    "{}{} ",
                    if l.positive { "" } else { "-" },
                    l.var + 1
                ));
            }
            out.push_str("0\n");
        }
    }
    Ok(out)
}

/// `times` renamed copies of a table model with its sales, as XCSP 2.1 text
/// and a sales file: order `r` of the result is, in copy `c`, the original
/// order `(r + c * shift) mod n`, so every copy keeps real sales. Copy `c > 0`
/// is linked to copy `c - 1` by `links` tables of arity 2 to 5 over sales
/// columns, each allowing exactly the combinations the paired orders show
/// (as real product tables list what is buildable): every scaled order stays
/// valid, and the links tie the copies as tightly as a real line's tables.
fn scale_tables(
    problem: &Problem,
    sales: &Sales,
    times: usize,
    links: usize,
    seed: u64,
) -> Result<(String, String), String> {
    let n = problem.vars.len();
    if problem
        .constraints
        .iter()
        .any(|c| !matches!(c, Constraint::Table { .. }))
    {
        return Err("scale --sales needs a table model (XCSP)".into());
    }
    if problem
        .vars
        .iter()
        .flat_map(|v| &v.values)
        .any(|name| name.parse::<i64>().is_err())
    {
        return Err("scale --sales needs integer values (XCSP)".into());
    }
    let orders: Vec<Vec<u32>> = sales
        .orders
        .iter()
        .filter_map(|o| o.values.iter().copied().collect::<Option<Vec<u32>>>())
        .collect();
    if orders.is_empty() || times == 0 {
        return Err("scale --sales needs at least one complete order and one copy".into());
    }
    let count = orders.len();
    let shift = (count / times.max(1)).max(1) + 7;
    let order_of = |r: usize, c: usize| &orders[(r + c * shift) % count];
    // Columns whose orders show more than one value: the only ones a link can constrain.
    let varied: Vec<usize> = (0..sales.vars.len())
        .filter(|&k| orders.iter().any(|o| o[k] != orders[0][k]))
        .collect();
    if varied.len() < 2 && times > 1 {
        return Err("the sales show too few varied columns to link copies".into());
    }
    let mut rng = Rng::new(seed);
    // (copy, column) scopes and their allowed tuples.
    let mut linked: Vec<(Vec<(usize, usize)>, Vec<Vec<u32>>)> = Vec::new();
    for copy in 1..times {
        let mut made = 0;
        let mut attempts = 0;
        while made < links && attempts < links * 20 {
            attempts += 1;
            let arity = 2 + rng.below(4);
            let mut scope = vec![(copy, varied[rng.below(varied.len())])];
            while scope.len() < arity {
                let c = if rng.below(3) == 0 { copy } else { copy - 1 };
                let k = varied[rng.below(varied.len())];
                if !scope.contains(&(c, k)) {
                    scope.push((c, k));
                }
            }
            let mut tuples: Vec<Vec<u32>> = (0..count)
                .map(|r| scope.iter().map(|&(c, k)| order_of(r, c)[k]).collect())
                .collect();
            tuples.sort_unstable();
            tuples.dedup();
            // A table allowing every combination of its observed values constrains nothing.
            let product: usize = (0..arity)
                .map(|i| {
                    let mut seen: Vec<u32> = tuples.iter().map(|t| t[i]).collect();
                    seen.sort_unstable();
                    seen.dedup();
                    seen.len()
                })
                .product();
            if tuples.len() < product {
                linked.push((scope, tuples));
                made += 1;
            }
        }
    }
    let name = |c: usize, x: usize| format!("{}@{c}", problem.vars[x].name);
    let mut out = String::from(
        "<instance>\n<presentation format=\"XCSP 2.1\" type=\"CSP\" name=\"scaled\"/>\n",
    );
    out.push_str(&format!("<domains nbDomains=\"{n}\">\n"));
    for (x, v) in problem.vars.iter().enumerate() {
        out.push_str(&format!(
            "<domain name=\"D{x}\" nbValues=\"{}\">{}</domain>\n",
            v.values.len(),
            v.values.join(" ")
        ));
    }
    out.push_str(&format!(
        "</domains>\n<variables nbVariables=\"{}\">\n",
        n * times
    ));
    for c in 0..times {
        for x in 0..n {
            out.push_str(&format!(
                "<variable name=\"{}\" domain=\"D{x}\"/>\n",
                name(c, x)
            ));
        }
    }
    let tuples_text = |vars: &[usize], tuples: &[Vec<u32>]| -> String {
        tuples
            .iter()
            .map(|t| {
                t.iter()
                    .zip(vars)
                    .map(|(&v, &x)| problem.vars[x].values[v as usize].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("|")
    };
    let mut relations = String::new();
    let mut constraints = String::new();
    let mut k = 0;
    for (i, c) in problem.constraints.iter().enumerate() {
        let Constraint::Table {
            vars,
            tuples,
            allowed,
        } = c
        else {
            unreachable!("checked above")
        };
        let semantics = if *allowed { "supports" } else { "conflicts" };
        relations.push_str(&format!(
            "<relation name=\"R{i}\" arity=\"{}\" nbTuples=\"{}\" semantics=\"{semantics}\">{}</relation>\n",
            vars.len(), tuples.len(), tuples_text(vars, tuples)
        ));
        for copy in 0..times {
            let scope: Vec<String> = vars.iter().map(|&x| name(copy, x)).collect();
            constraints.push_str(&format!(
                "<constraint name=\"C{k}\" arity=\"{}\" scope=\"{}\" reference=\"R{i}\"/>\n",
                vars.len(),
                scope.join(" ")
            ));
            k += 1;
        }
    }
    for (i, (scope, tuples)) in linked.iter().enumerate() {
        let vars: Vec<usize> = scope.iter().map(|&(_, col)| sales.vars[col]).collect();
        relations.push_str(&format!(
            "<relation name=\"L{i}\" arity=\"{}\" nbTuples=\"{}\" semantics=\"supports\">{}</relation>\n",
            vars.len(), tuples.len(), tuples_text(&vars, tuples)
        ));
        let names: Vec<String> = scope
            .iter()
            .map(|&(c, col)| name(c, sales.vars[col]))
            .collect();
        constraints.push_str(&format!(
            "<constraint name=\"C{k}\" arity=\"{}\" scope=\"{}\" reference=\"L{i}\"/>\n",
            vars.len(),
            names.join(" ")
        ));
        k += 1;
    }
    out.push_str(&format!(
        "</variables>\n<relations nbRelations=\"{}\">\n{relations}</relations>\n",
        problem.constraints.len() + linked.len()
    ));
    out.push_str(&format!(
        "<constraints nbConstraints=\"{k}\">\n{constraints}</constraints>\n</instance>\n"
    ));
    let mut orders_text: String = (0..times)
        .flat_map(|c| sales.vars.iter().map(move |&x| (c, x)))
        .map(|(c, x)| name(c, x))
        .collect::<Vec<_>>()
        .join(" ");
    orders_text.push('\n');
    for r in 0..count {
        let row: Vec<&str> = (0..times)
            .flat_map(|c| {
                sales
                    .vars
                    .iter()
                    .enumerate()
                    .map(move |(col, &x)| (c, col, x))
            })
            .map(|(c, col, x)| problem.vars[x].values[order_of(r, c)[col] as usize].as_str())
            .collect();
        orders_text.push_str(&row.join(" "));
        orders_text.push('\n');
    }
    Ok((out, orders_text))
}

/// Peak resident memory (Linux: VmHWM), in MiB; 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

// The integration tests' helpers (the benchmark folder).
#[cfg(test)]
#[path = "../../tests/common/mod.rs"]
mod common;

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command, DEFAULT_BUDGET, Method, parse_assign, scale_tables};
    use tailor_engine::import::{parse_sales, parse_xcsp};
    use tailor_engine::problem::{Constraint, Problem, Var};

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_usage_lines_parse_with_their_defaults() {
        let parse =
            |line: &str| Cli::try_parse_from(line.split_whitespace()).map(|cli| cli.command);
        for line in super::USAGE.lines() {
            // Each usage line with its placeholders filled in.
            let line = line
                .trim()
                .replace(['[', ']'], "")
                .replace("auto|diagram|search", "search")
                .replace("NAME=VALUE,...", "a=1,b=2");
            let line: Vec<&str> = line
                .split_whitespace()
                .map(|w| if matches!(w, "N" | "S" | "K") { "5" } else { w })
                .collect();
            assert!(parse(&line.join(" ")).is_ok(), "{line:?}");
        }
        match parse("tailor-engine bench m.xml").unwrap() {
            Command::Bench {
                model,
                sales,
                sessions,
                seed,
                recommend,
                picture,
            } => {
                assert_eq!(
                    (
                        model.method,
                        model.search_budget,
                        sales,
                        sessions,
                        seed,
                        recommend,
                        picture
                    ),
                    (Method::Auto, DEFAULT_BUDGET, None, 200, 1, false, false)
                );
            }
            other => panic!("{other:?}"),
        }
        match parse("tailor-engine recommend-eval m.xml --sales s.txt --folds f.txt").unwrap() {
            Command::RecommendEval { seed, fold, k, .. } => {
                assert_eq!((seed, fold, k), (1, None, 5))
            }
            other => panic!("{other:?}"),
        }
        assert!(
            parse("tailor-engine recommend-eval m.xml --sales s.txt --folds f.txt --fold 10")
                .is_err(),
            "folds are 0 to 9"
        );
        match parse("tailor-engine scale m.dimacs").unwrap() {
            Command::Scale { times, seed, .. } => assert_eq!((times, seed), (10, 1)),
            other => panic!("{other:?}"),
        }
        assert!(
            parse("tailor-engine check m.xml").is_err(),
            "check needs --sales"
        );
        assert!(parse("tailor-engine count m.xml --method fast").is_err());
        assert!(parse("tailor-engine count").is_err(), "a MODEL is needed");
    }

    #[test]
    fn assign_takes_comma_separated_pairs_and_names_a_bad_one() {
        let pairs = parse_assign(&["a=1, b = x,".into(), "c=2".into()]).unwrap();
        let expected: Vec<(String, String)> = [("a", "1"), ("b", "x"), ("c", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, expected);
        assert_eq!(
            parse_assign(&["a=1,b".into()]).unwrap_err(),
            "--assign: \"b\" is not NAME=VALUE"
        );
    }

    #[test]
    fn scaled_table_models_keep_every_paired_order_and_are_linked() {
        // a < b over 0..4, and orders that show several combinations.
        let vars: Vec<Var> = ["a", "b", "c"]
            .iter()
            .map(|n| Var {
                name: n.to_string(),
                values: (0..4).map(|v| v.to_string()).collect(),
            })
            .collect();
        let lt: Vec<Vec<u32>> = (0..4u32)
            .flat_map(|a| (a + 1..4).map(move |b| vec![a, b]))
            .collect();
        let problem = Problem {
            vars,
            constraints: vec![Constraint::Table {
                vars: vec![0, 1],
                tuples: lt,
                allowed: true,
            }],
        };
        let text = "a b c\n0 1 0\n0 2 1\n1 3 2\n2 3 3\n0 3 0\n1 2 1\n";
        let sales = parse_sales("s.txt", text, &problem).unwrap();
        let (xcsp, orders) = scale_tables(&problem, &sales, 3, 4, 7).unwrap();
        let scaled = parse_xcsp("scaled.xml", &xcsp).unwrap();
        assert_eq!(scaled.vars.len(), 9);
        // Each copy keeps the original table; 4 links per copy after the first.
        assert_eq!(scaled.constraints.len(), 3 + 2 * 4);
        let scaled_sales = parse_sales("scaled.txt", &orders, &scaled).unwrap();
        assert_eq!(scaled_sales.orders.len(), 6);
        for order in &scaled_sales.orders {
            let mut values = vec![0u32; scaled.vars.len()];
            for (column, &x) in scaled_sales.vars.iter().enumerate() {
                values[x] = order.values[column].unwrap();
            }
            assert!(scaled.holds(&values), "line {}", order.line);
        }
        // The links constrain: some full assignment satisfying every copy breaks a link.
        let copies_only = Problem {
            vars: scaled.vars.clone(),
            constraints: scaled.constraints[..3].to_vec(),
        };
        let count = |p: &Problem| {
            tailor_engine::Engine::with_diagram(p.clone(), None, DEFAULT_BUDGET)
                .unwrap()
                .count(&[None; 9])
                .unwrap()
        };
        assert!(count(&scaled) < count(&copies_only));
        assert!(
            scale_tables(&problem, &sales, 2, 4, 7).unwrap().0
                != scale_tables(&problem, &sales, 2, 4, 8).unwrap().0,
            "the seed matters"
        );
    }

    #[test]
    fn a_scaled_renault_line_counts_the_same_by_the_engine_and_by_component_search() {
        let Some(dir) = super::common::benchmarks_dir() else { return };
        let read = |name: &str| std::fs::read_to_string(dir.join("renault-br4cp").join(name)).unwrap();
        let problem = parse_xcsp("medium.xml", &read("medium_domainsorted.xml")).unwrap();
        let sales = parse_sales("sales.txt", &read("config_medium_filtered.txt"), &problem).unwrap();
        let (xcsp, _) = scale_tables(&problem, &sales, 2, 8, 1).unwrap();
        let scaled = parse_xcsp("scaled.xml", &xcsp).unwrap();
        let engine = tailor_engine::Engine::new(scaled.clone(), None, DEFAULT_BUDGET).unwrap();
        let by_engine = engine.count(&vec![None; scaled.vars.len()]).unwrap();
        let by_oracle = tailor_engine::oracle::count_by_search(&scaled).unwrap();
        assert_eq!(by_engine, by_oracle.into());
        // Linked, not merely two copies: fewer than the square of one.
        let one = tailor_engine::oracle::count_by_search(&problem).unwrap();
        assert!(by_oracle < one * one, "{by_oracle} vs {one}^2");
    }
}

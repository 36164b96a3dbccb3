//! Click-session replays: the engine's speed as a customer would feel it.
//! The same code runs natively (the `tailor-engine bench` command) and in the
//! browser (`cargo xtask bench engine --wasm`); the caller supplies the clock,
//! since the library has none.

use crate::engine::Engine;
use crate::import::Sales;
use crate::recommend::{Learned, Recommender};

/// A random valid, complete configuration of a catalogue model: attributes
/// in random order, each given a random option among those the engine
/// still offers (for load tests and for sizing learned statistics).
pub fn random_choices(model: &crate::Model, rng: &mut Rng) -> crate::Choices {
    let mut choices = crate::Choices::empty(model);
    let mut order: Vec<usize> = (0..model.attributes().len()).collect();
    rng.shuffle(&mut order);
    for a in order {
        let eval = model.evaluate(&choices);
        let open: Vec<usize> = (0..model.attributes()[a].options.len()).filter(|&o| eval.attributes[a].available[o]).collect();
        choices.0[a] = Some(open[rng.below(open.len())]);
    }
    choices
}

/// A small deterministic generator (xorshift64*), so sessions replay the same.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// What a replay measured. Times are in microseconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub sessions: usize,
    pub clicks: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
    /// Clicks whose answer left some open variable with no valid value (a
    /// dead end): must be zero.
    pub dead_ends: usize,
}

/// Replays sessions on `engine` and times every click (one full recomputation
/// of valid values and price bounds). With `sales`, each session assigns one
/// order's values in a random order (sessions cycle through the orders);
/// without, each session picks a random open variable and a random still
/// valid value until every variable is set.
pub fn replay(engine: &Engine, sales: Option<&Sales>, sessions: usize, seed: u64, clock: &mut dyn FnMut() -> f64) -> Report {
    replay_inner(engine, None, sales, sessions, seed, clock).0
}

/// The same replay, with every open variable's recommendation made after
/// each click (as the configurator does): the first report times a click
/// with its recommendations, the second the recommendations alone.
pub fn replay_recommend(engine: &Engine, shop: &Recommender, sales: Option<&Sales>, sessions: usize, seed: u64, clock: &mut dyn FnMut() -> f64) -> (Report, Report) {
    replay_inner(engine, Some(shop), sales, sessions, seed, clock)
}

/// Statistics to recommend with in [`replay_recommend`]: learned from the
/// sales (every variable), or, without sales, from 10,000 random valid
/// configurations of the catalogue `model` (its attributes); counts under 5
/// dropped, as the shop does.
pub fn bench_learned(engine: &Engine, model: Option<&crate::Model>, sales: Option<&Sales>, seed: u64) -> Learned {
    let n = engine.vars();
    match (sales, model) {
        (Some(sales), _) => {
            let orders: Vec<Vec<Option<u32>>> = sales.orders.iter().filter_map(|o| sales.assignment(o, n)).collect();
            Learned::learn(engine.problem(), &(0..n).collect::<Vec<_>>(), orders.iter().map(Vec::as_slice), 5)
        }
        (None, Some(model)) => {
            let mut rng = Rng::new(seed);
            let orders: Vec<crate::Choices> = (0..10_000).map(|_| random_choices(model, &mut rng)).collect();
            Learned::from_orders(model, &orders, 5)
        }
        (None, None) => Learned::learn(engine.problem(), &[], std::iter::empty(), 5),
    }
}

/// Times the picture after every click of random sessions of a catalogue
/// model with a visual (each click: a random attribute takes a random
/// option still available; the picture is then drawn anew). The report's
/// times are the drawing alone; `bytes` is the largest picture.
pub fn replay_picture(model: &crate::Model, sessions: usize, seed: u64, clock: &mut dyn FnMut() -> f64) -> (Report, usize) {
    let mut rng = Rng::new(seed);
    let mut times = Vec::new();
    let mut bytes = 0;
    let texts = std::collections::BTreeMap::new();
    for s in 0..sessions {
        let mut choices = crate::Choices::defaults(model);
        let lang = if s % 2 == 0 { "en" } else { "zh" };
        for _ in 0..model.attributes().len() * 2 {
            let a = rng.below(model.attributes().len());
            let eval = model.evaluate(&choices);
            let valid: Vec<usize> = (0..eval.attributes[a].available.len()).filter(|&o| eval.attributes[a].available[o]).collect();
            if valid.is_empty() {
                continue;
            }
            choices.0[a] = Some(valid[rng.below(valid.len())]);
            let start = clock();
            let picture = model.picture(&choices, &texts, lang, "bench");
            times.push((clock() - start) * 1000.0);
            bytes = bytes.max(picture.map_or(0, |p| p.svg.len()));
        }
    }
    (summarize(sessions, times, 0), bytes)
}

/// The extra JSON fields of a recommending replay: the time of the
/// recommendations alone, and what was learned from.
pub fn recommend_fields(learned: &Learned, ranking: &Report) -> Vec<(&'static str, String)> {
    vec![
        ("recommend", "true".into()),
        ("learned_orders", learned.orders.to_string()),
        ("ranking_p50_us", format!("{:.1}", ranking.p50_us)),
        ("ranking_p99_us", format!("{:.1}", ranking.p99_us)),
        ("ranking_max_us", format!("{:.1}", ranking.max_us)),
    ]
}

fn replay_inner(engine: &Engine, shop: Option<&Recommender>, sales: Option<&Sales>, sessions: usize, seed: u64, clock: &mut dyn FnMut() -> f64) -> (Report, Report) {
    let mut rng = Rng::new(seed);
    let n = engine.vars();
    let mut times = Vec::new();
    let mut ranking = Vec::new();
    let mut dead_ends = 0;
    let mut run = 0;
    while run < sessions {
        let mut fixed: Vec<Option<u32>> = vec![None; n];
        let mut click = |fixed: &[Option<u32>], times: &mut Vec<f64>| {
            let start = clock();
            let analysis = engine.analyse(fixed);
            if let Some(shop) = shop {
                let ranked = clock();
                let mut made = 0usize;
                let cx = shop.context_within(fixed, &analysis.valid);
                for v in (0..n).filter(|&v| fixed[v].is_none()) {
                    made += usize::from(shop.recommend_in(&cx, v, &analysis.valid[v]).is_some());
                }
                std::hint::black_box(made);
                ranking.push((clock() - ranked) * 1000.0);
            }
            times.push((clock() - start) * 1000.0);
            analysis
        };
        let mut analysis = click(&fixed, &mut times);
        match sales {
            Some(sales) if !sales.orders.is_empty() => {
                let order = &sales.orders[run % sales.orders.len()];
                let Some(values) = sales.assignment(order, n) else {
                    run += 1;
                    continue;
                };
                let mut vars: Vec<usize> = (0..n).filter(|&v| values[v].is_some()).collect();
                rng.shuffle(&mut vars);
                for v in vars {
                    fixed[v] = values[v];
                    analysis = click(&fixed, &mut times);
                    if analysis.consistent && has_dead_end(&analysis.valid, &fixed) {
                        dead_ends += 1;
                    }
                }
            }
            _ => loop {
                let open: Vec<usize> = (0..n).filter(|&v| fixed[v].is_none()).collect();
                if open.is_empty() || !analysis.consistent {
                    break;
                }
                let v = open[rng.below(open.len())];
                let choices: Vec<u32> = (0..analysis.valid[v].len() as u32).filter(|&x| analysis.valid[v][x as usize]).collect();
                if choices.is_empty() {
                    dead_ends += 1;
                    break;
                }
                fixed[v] = Some(choices[rng.below(choices.len())]);
                analysis = click(&fixed, &mut times);
                if has_dead_end(&analysis.valid, &fixed) {
                    dead_ends += 1;
                }
            },
        }
        run += 1;
    }
    (summarize(sessions, times, dead_ends), summarize(sessions, ranking, 0))
}

/// Some open variable with no valid value left.
fn has_dead_end(valid: &[Vec<bool>], fixed: &[Option<u32>]) -> bool {
    valid.iter().zip(fixed).any(|(values, f)| f.is_none() && !values.iter().any(|&b| b))
}

fn summarize(sessions: usize, mut times: Vec<f64>, dead_ends: usize) -> Report {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[i]
    };
    Report {
        sessions,
        clicks: times.len(),
        p50_us: at(0.5),
        p99_us: at(0.99),
        max_us: times.last().copied().unwrap_or(0.0),
        mean_us: if times.is_empty() { 0.0 } else { times.iter().sum::<f64>() / times.len() as f64 },
        dead_ends,
    }
}

impl Report {
    /// One JSON object (no serde needed on the caller's side).
    pub fn to_json(&self, compile_ms: f64, peak_rss_mb: f64, extra: &[(&str, String)]) -> String {
        let mut s = format!(
            "{{\"compile_ms\":{compile_ms:.1},\"sessions\":{},\"clicks\":{},\"p50_us\":{:.1},\"p99_us\":{:.1},\"max_us\":{:.1},\"mean_us\":{:.1},\"dead_ends\":{},\"peak_rss_mb\":{peak_rss_mb:.1}",
            self.sessions, self.clicks, self.p50_us, self.p99_us, self.max_us, self.mean_us, self.dead_ends
        );
        for (k, v) in extra {
            s.push_str(&format!(",\"{k}\":{v}"));
        }
        s.push('}');
        s
    }
}

//! `parse_number` reads what `str::parse::<f64>` reads, bit for bit, within
//! its stated bounds, and refuses the rest (see its documentation).

use tailor_engine::bench::Rng;
use tailor_engine::parse_number;

fn same(s: &str) {
    let std: f64 = s
        .parse()
        .unwrap_or_else(|e| panic!("{s:?} is a number for std: {e}"));
    let ours = parse_number(s).unwrap_or_else(|| panic!("{s:?} was refused"));
    assert_eq!(
        ours.to_bits(),
        std.to_bits(),
        "{s:?}: {ours:e} against std's {std:e}"
    );
}

#[test]
fn written_numbers_read_as_std_reads_them() {
    for s in [
        "0",
        "-0",
        "+0",
        "0.0",
        "-0.0",
        "1",
        "-1",
        "+7",
        "81.5",
        "81.50",
        "081.5",
        "1.",
        ".5",
        "-.5",
        "+.5",
        "0.1",
        "0.2",
        "0.3",
        "2.675",
        "1e3",
        "1E3",
        "2e-3",
        "1.5e+2",
        "1500e-2",
        "123456789012345",
        "9007199254740992",
        "0.000001",
        "3.14159265358979",
        "1e22",
        "1e-22",
        "0e999999",
        "4.35",
        "99.99",
        "1000000",
    ] {
        same(s);
    }
}

#[test]
fn random_short_decimals_read_as_std_reads_them() {
    let mut rng = Rng::new(0x5eed);
    for _ in 0..200_000 {
        let digits = 1 + rng.below(15);
        let mut s = String::new();
        if rng.below(2) == 0 {
            s.push('-');
        }
        let point = rng.below(digits + 1);
        for i in 0..digits {
            if i == point {
                s.push('.');
            }
            s.push(char::from(b'0' + rng.below(10) as u8));
        }
        if rng.below(4) == 0 {
            s.push_str(&format!("e{}", rng.below(15) as i64 - 7));
        }
        same(&s);
    }
}

#[test]
fn what_is_not_a_plain_number_is_refused() {
    for s in [
        "",
        "-",
        "+",
        ".",
        "-.",
        "e5",
        "1e",
        "1e+",
        "1e--5",
        "+-1",
        "1.2.3",
        " 1",
        "1 ",
        "1,5",
        "1_000",
        "0x10",
        "inf",
        "-inf",
        "infinity",
        "NaN",
        "nan",
        "١",
        // Beyond the exact bounds (std would read these).
        "9007199254740993",
        "0.30000000000000004",
        "12345678901234567890",
        "1e23",
        "1e-23",
        "0.1e-22",
    ] {
        assert_eq!(parse_number(s), None, "{s:?}");
    }
}

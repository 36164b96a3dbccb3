//! Contact and shipping details of an order, checked the same way in the
//! browser (as the customer types) and on the server (which trusts nothing).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    pub line1: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub line2: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2, one of [`COUNTRIES`].
    pub country: String,
}

/// Where orders ship to.
pub const COUNTRIES: &[&str] = &["AT", "BE", "CH", "CN", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "LU", "NL", "NO", "PL", "PT", "SE", "US"];

/// One problem with one field: `field` is `contact.email`, `shipping.city`...
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    /// A stable code for the user interface to word (`required`,
    /// `too_long`, `invalid_email`, `invalid_phone`, `invalid_postcode`,
    /// `unsupported_country`, `invalid_characters`).
    pub code: String,
    /// The same in English, for API clients.
    pub message: String,
}

/// Characters that change how text around them shows without showing
/// themselves: Unicode's format characters (general category Cf, Unicode
/// 15.1: bidirectional overrides and isolates, zero-width spaces and
/// joiners, soft hyphen, tags, ...) and the line and paragraph separators.
/// Listed here rather than taken from a Unicode table crate, which would
/// add its tables to the browser's wasm for these few ranges.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Text a person can read as it will be shown: no control characters and
/// none of the invisible ones that reorder or hide what follows them.
pub fn printable(text: &str) -> bool {
    text.chars().all(|c| !c.is_control() && !INVISIBLE.iter().any(|&(lo, hi)| (lo..=hi).contains(&(c as u32))))
}

fn check_text(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool, max: usize) {
    let v = value.trim();
    let mut push = |code: &str, message: String| errors.push(FieldError { field: field.into(), code: code.into(), message });
    if v.is_empty() {
        if required {
            push("required", format!("{field} is required"));
        }
        return;
    }
    if v.chars().count() > max {
        push("too_long", format!("{field} may have at most {max} characters"));
    }
    if !printable(v) {
        push("invalid_characters", format!("{field} contains control or invisible characters"));
    }
}

/// An e-mail address in the common, safe form: a local part of letters,
/// digits and ``.!#$%&'*+/=?^_`{|}~-`` (dots not first, last or doubled: no
/// quoted forms, so nothing such as `<`, `>`, `,` or a space reaches a mail
/// header), `@`, and a domain of two or more labels of letters, digits and
/// inner hyphens; at most 254 characters, ASCII only.
pub fn email_ok(email: &str) -> bool {
    let e = email.trim();
    let Some((local, domain)) = e.split_once('@') else { return false };
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = (1..=64).contains(&local.len())
        && local.split('.').all(|part| !part.is_empty() && part.chars().all(atom));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !l.starts_with('-') && !l.ends_with('-')
        });
    e.len() <= 254 && local_ok && domain_ok
}

/// Checks everything; an empty list means the details are fine.
pub fn check(contact: &Contact, shipping: &Shipping) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "contact.name", &contact.name, true, 100);
    check_text(&mut errors, "contact.email", &contact.email, true, 254);
    if !contact.email.trim().is_empty() && !email_ok(&contact.email) {
        errors.push(FieldError { field: "contact.email".into(), code: "invalid_email".into(), message: "contact.email is not an e-mail address".into() });
    }
    let phone = contact.phone.trim();
    if !phone.is_empty() {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-()/".contains(c));
        if !allowed || !(6..=20).contains(&digits) {
            errors.push(FieldError { field: "contact.phone".into(), code: "invalid_phone".into(), message: "contact.phone needs 6 to 20 digits (and only + - ( ) / spaces)".into() });
        }
    }
    check_text(&mut errors, "shipping.line1", &shipping.line1, true, 100);
    check_text(&mut errors, "shipping.line2", &shipping.line2, false, 100);
    check_text(&mut errors, "shipping.city", &shipping.city, true, 60);
    check_text(&mut errors, "shipping.postcode", &shipping.postcode, true, 12);
    let pc = shipping.postcode.trim();
    if !pc.is_empty() && !pc.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') {
        errors.push(FieldError { field: "shipping.postcode".into(), code: "invalid_postcode".into(), message: "shipping.postcode may hold letters, digits, spaces and '-' only".into() });
    }
    if !COUNTRIES.contains(&shipping.country.as_str()) {
        errors.push(FieldError {
            field: "shipping.country".into(),
            code: "unsupported_country".into(),
            message: format!("we do not ship to \"{}\"; choose one of {}", shipping.country, COUNTRIES.join(", ")),
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> (Contact, Shipping) {
        (
            Contact { name: "Mei Chen".into(), email: "mei@example.org".into(), phone: "+49 30 1234567".into() },
            Shipping { line1: "Hauptstr. 1".into(), line2: String::new(), city: "Berlin".into(), postcode: "10115".into(), country: "DE".into() },
        )
    }

    #[test]
    fn good_details_pass_and_each_bad_field_is_named() {
        let (c, s) = good();
        assert!(check(&c, &s).is_empty());
        let cases: Vec<(Box<dyn Fn(&mut Contact, &mut Shipping)>, &str, &str)> = vec![
            (Box::new(|c, _| c.name = "  ".into()), "contact.name", "required"),
            (Box::new(|c, _| c.name = "x".repeat(101)), "contact.name", "too_long"),
            (Box::new(|c, _| c.email = "mei.example.org".into()), "contact.email", "invalid_email"),
            (Box::new(|c, _| c.email = "mei@localhost".into()), "contact.email", "invalid_email"),
            (Box::new(|c, _| c.email = "me i@example.org".into()), "contact.email", "invalid_email"),
            (Box::new(|c, _| c.phone = "12".into()), "contact.phone", "invalid_phone"),
            (Box::new(|c, _| c.phone = "0800 CALL ME".into()), "contact.phone", "invalid_phone"),
            (Box::new(|_, s| s.city = String::new()), "shipping.city", "required"),
            (Box::new(|_, s| s.postcode = "10115!".into()), "shipping.postcode", "invalid_postcode"),
            (Box::new(|_, s| s.country = "XX".into()), "shipping.country", "unsupported_country"),
            (Box::new(|_, s| s.line1 = "a\u{0}b".into()), "shipping.line1", "invalid_characters"),
            // Issue 15, item 10: text that hides or reorders itself.
            (Box::new(|c, _| c.name = "Mei \u{202E}nehC".into()), "contact.name", "invalid_characters"),
            (Box::new(|_, s| s.line1 = "Haupt\u{200B}str. 1".into()), "shipping.line1", "invalid_characters"),
            (Box::new(|_, s| s.line2 = "\u{2066}Hof\u{2069}".into()), "shipping.line2", "invalid_characters"),
            (Box::new(|_, s| s.city = "Ber\u{E0041}lin".into()), "shipping.city", "invalid_characters"),
            (Box::new(|c, _| c.email = "\"a<b>,c\"@example.org".into()), "contact.email", "invalid_email"),
            (Box::new(|c, _| c.email = "a..b@example.org".into()), "contact.email", "invalid_email"),
            (Box::new(|c, _| c.email = "ab@-example.org".into()), "contact.email", "invalid_email"),
        ];
        for (change, field, code) in cases {
            let (mut c, mut s) = good();
            change(&mut c, &mut s);
            let errors = check(&c, &s);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), (field, code));
        }
    }

    #[test]
    fn common_addresses_and_names_in_any_script_pass() {
        for e in ["mei@example.org", "first.last+tag@mail.example.co.uk", "o'brien@example.ie", "x_y-z@sub-domain.example.com"] {
            assert!(email_ok(e), "{e}");
        }
        for t in ["陈美", "Zoë Ørsted", "محمد", "Straße 5, 2. OG"] {
            assert!(printable(t), "{t}");
        }
    }
}

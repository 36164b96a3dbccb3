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
    if v.chars().any(char::is_control) {
        push("invalid_characters", format!("{field} contains control characters"));
    }
}

/// A plausible e-mail address: one `@`, something before it, a dotted
/// domain after it, no spaces; at most 254 characters.
pub fn email_ok(email: &str) -> bool {
    let e = email.trim();
    let Some((local, domain)) = e.split_once('@') else { return false };
    e.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
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
        ];
        for (change, field, code) in cases {
            let (mut c, mut s) = good();
            change(&mut c, &mut s);
            let errors = check(&c, &s);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), (field, code));
        }
    }
}

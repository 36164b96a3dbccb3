//! Fit from body measurements: plausibility checks and the recommended size
//! and inseam from a model's size grid, with the reason in numbers.

use std::fmt;

use crate::model::Model;

/// How the customer likes the fit (`slim`, `regular`, `relaxed` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preference {
    Slim,
    Regular,
    Relaxed,
}

/// Body measurements in centimetres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measurements {
    pub waist_cm: f64,
    pub hip_cm: f64,
    pub inseam_cm: f64,
    pub rise_cm: Option<f64>,
    pub thigh_cm: Option<f64>,
}

pub const CM_PER_INCH: f64 = 2.54;

/// Which measurement is implausible, and the plausible range in cm.
#[derive(Clone, Debug, PartialEq)]
pub struct Implausible {
    /// `waist`, `hip`, `inseam`, `rise` or `thigh`.
    pub field: &'static str,
    pub value_cm: f64,
    pub min_cm: f64,
    pub max_cm: f64,
}

impl fmt::Display for Implausible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} cm is outside {}–{} cm", self.field, self.value_cm, self.min_cm, self.max_cm)
    }
}

/// Plausible adult ranges (cm), wide on purpose: they catch typos and
/// inches typed as centimetres, not unusual bodies.
const RANGES: [(&str, f64, f64); 5] = [("waist", 45.0, 170.0), ("hip", 60.0, 190.0), ("inseam", 50.0, 105.0), ("rise", 15.0, 45.0), ("thigh", 30.0, 100.0)];

impl Measurements {
    /// Every measurement outside its plausible range; also a hip much
    /// smaller than the waist (more likely swapped fields than a body).
    pub fn check(&self) -> Vec<Implausible> {
        let values = [Some(self.waist_cm), Some(self.hip_cm), Some(self.inseam_cm), self.rise_cm, self.thigh_cm];
        let mut problems: Vec<Implausible> = RANGES
            .iter()
            .zip(values)
            .filter_map(|(&(field, min_cm, max_cm), v)| {
                let v = v?;
                (!v.is_finite() || v < min_cm || v > max_cm).then_some(Implausible { field, value_cm: v, min_cm, max_cm })
            })
            .collect();
        if problems.is_empty() && self.hip_cm < self.waist_cm * 0.75 {
            problems.push(Implausible { field: "hip", value_cm: self.hip_cm, min_cm: (self.waist_cm * 0.75).round(), max_cm: 190.0 });
        }
        problems
    }
}

/// The recommended grid size and inseam, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// Option indices of the size and inseam attributes.
    pub size: usize,
    pub inseam: usize,
    /// The ease added for the preference, and the garment waist aimed at.
    pub ease_cm: f64,
    pub target_waist_cm: f64,
    /// The chosen size's garment waist and hip, and the inseam's length.
    pub size_waist_cm: f64,
    pub size_hip_cm: f64,
    pub inseam_cm: f64,
}

/// Why no recommendation could be made.
#[derive(Clone, Debug, PartialEq)]
pub enum FitError {
    /// The model has no `fit` section.
    NoFit,
    Implausible(Vec<Implausible>),
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::NoFit => write!(f, "this product is not made to measure"),
            FitError::Implausible(p) => {
                let list: Vec<String> = p.iter().map(ToString::to_string).collect();
                write!(f, "please check your measurements: {}", list.join("; "))
            }
        }
    }
}

impl Model {
    /// The size whose garment waist is nearest the body's waist plus the
    /// preference's ease, among sizes whose hip leaves room for the body's
    /// hip (the roomiest hip when none does; the larger size on a tie), and
    /// the inseam nearest the body's (the longer on a tie, since a hem can
    /// be taken up).
    pub fn recommend_fit(&self, m: &Measurements, preference: Preference) -> Result<Recommendation, FitError> {
        let fit = self.def().fit.as_ref().ok_or(FitError::NoFit)?;
        let problems = m.check();
        if !problems.is_empty() {
            return Err(FitError::Implausible(problems));
        }
        let ease_cm = match preference {
            Preference::Slim => fit.ease_cm.slim,
            Preference::Regular => fit.ease_cm.regular,
            Preference::Relaxed => fit.ease_cm.relaxed,
        };
        let target = m.waist_cm + ease_cm;
        let num = |attr: usize, o: usize, p: &str| -> f64 {
            self.attributes()[attr].options[o].properties.get(p).and_then(|v| v.as_f64()).unwrap_or(0.0)
        };
        let size_attr = self.attribute(&fit.size).ok_or(FitError::NoFit)?;
        let inseam_attr = self.attribute(&fit.inseam).ok_or(FitError::NoFit)?;
        let sizes = 0..self.attributes()[size_attr].options.len();
        let hip = |o: usize| num(size_attr, o, &fit.hip_property);
        let waist = |o: usize| num(size_attr, o, &fit.waist_property);
        let roomy: Vec<usize> = sizes.clone().filter(|&o| hip(o) >= m.hip_cm + ease_cm.max(0.0)).collect();
        let candidates: Vec<usize> = if roomy.is_empty() {
            let most = sizes.clone().map(hip).fold(f64::MIN, f64::max);
            sizes.filter(|&o| hip(o) >= most).collect()
        } else {
            roomy
        };
        let size = candidates
            .into_iter()
            .min_by(|&a, &b| (waist(a) - target).abs().total_cmp(&(waist(b) - target).abs()).then(waist(b).total_cmp(&waist(a))).then(hip(a).total_cmp(&hip(b))))
            .ok_or(FitError::NoFit)?;
        let length = |o: usize| num(inseam_attr, o, &fit.inseam_property);
        let inseam = (0..self.attributes()[inseam_attr].options.len())
            .min_by(|&a, &b| (length(a) - m.inseam_cm).abs().total_cmp(&(length(b) - m.inseam_cm).abs()).then(length(b).total_cmp(&length(a))))
            .ok_or(FitError::NoFit)?;
        Ok(Recommendation {
            size,
            inseam,
            ease_cm,
            target_waist_cm: target,
            size_waist_cm: waist(size),
            size_hip_cm: hip(size),
            inseam_cm: length(inseam),
        })
    }
}

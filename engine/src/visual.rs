//! Pictures of what the customer builds (issue 17): a model's `visual`
//! section, a closed vocabulary of vector drawing (shapes, paths, groups,
//! text, linear gradients) whose layers show when conditions on the
//! choices hold, with colours and sizes from option properties and
//! numeric inputs and text from the customer's free texts; and one
//! renderer, configuration in, standalone SVG out, used alike by the
//! browser and the server.
//!
//! Safety: nothing in the vocabulary can run code or fetch anything. The
//! section is read with unknown fields refused (no `script`, no `on*`
//! attributes, no `href`, no `style`); colours are `#rgb`/`#rrggbb` (or
//! `none`), also when they come from option properties; path data is only
//! commands and numbers; every text is escaped; gradients are referred to
//! by checked ids, which the renderer prefixes. The SVG is written here
//! from these parts, never copied from the model.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::config::Choices;
use crate::model::{Condition, Model};

/// The `visual` section of a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisualDef {
    /// `[x, y, width, height]` of the drawing's coordinates.
    pub view_box: [f64; 4],
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gradients: Vec<GradientDef>,
    /// Drawn in order: later layers over earlier ones.
    pub layers: Vec<LayerDef>,
    /// The attributes whose choices make the text alternative, in this
    /// order (every attribute when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alt: Vec<String>,
}

/// What an option shows beside its name: a colour, or a tiny drawing in
/// the visual's vocabulary (no gradients), drawn as if that option were
/// chosen over the defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Swatch {
    Color(String),
    Drawing(SwatchDrawing),
}

/// By hand rather than serde's untagged form, so that what is wrong in a
/// drawing is said (an unknown shape, a missing field, with its line), not
/// only that the swatch matches neither form; and so that the drawing is
/// read by the same code as the visual's shapes (an untagged enum, or going
/// through `serde_json::Value`, would compile the whole shape reader a
/// second time into the customer's wasm).
impl<'de> Deserialize<'de> for Swatch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Swatch, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Swatch;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a swatch: a colour (\"#rrggbb\") or a drawing ({\"view_box\": ..., \"shapes\": [...]})")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Swatch, E> {
                Ok(Swatch::Color(s.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Swatch, A::Error> {
                SwatchDrawing::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Swatch::Drawing)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwatchDrawing {
    /// `[x, y, width, height]`, shown in a square.
    pub view_box: [f64; 4],
    pub shapes: Vec<Shape>,
}

/// At most this many shapes in a swatch: it is drawn beside every option.
pub const MAX_SWATCH_SHAPES: usize = 24;

/// Some shapes, shown when every condition holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerDef {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Condition>,
    pub shapes: Vec<Shape>,
}

/// A linear gradient from `(x1, y1)` to `(x2, y2)` in fractions of the
/// shape's box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradientDef {
    pub id: String,
    #[serde(default)]
    pub x1: f64,
    #[serde(default)]
    pub y1: f64,
    #[serde(default = "one")]
    pub x2: f64,
    #[serde(default)]
    pub y2: f64,
    pub stops: Vec<StopDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopDef {
    pub offset: f64,
    pub color: Color,
}

fn one() -> f64 {
    1.0
}

/// A number: written, or taken from the choices: the chosen number of a
/// numeric input, or a numeric property of the chosen option; then
/// `* times + plus`, kept within `min`..`max`; `otherwise` while the
/// attribute is open or the option lacks the property.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Num {
    Lit(f64),
    From(NumFrom),
    /// The sum of numbers (a hem's height: the rise plus the inseam).
    Sum { sum: Vec<Num> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumFrom {
    pub attribute: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(default = "one")]
    pub times: f64,
    #[serde(default)]
    pub plus: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default)]
    pub otherwise: f64,
}

/// A colour: `#rgb`, `#rrggbb` or `none`; a gradient by id; or a colour
/// property of the chosen option (`otherwise` while open or not a colour).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Color {
    Lit(String),
    Gradient { gradient: String },
    From { attribute: String, property: String, otherwise: String },
}

/// A text: written, or one of the customer's free texts (by its id), or
/// the chosen option's label.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TextValue {
    Lit(String),
    Free { text: String },
    Label { label_of: String },
}

// `Num`, `Color` and `TextValue` are read by hand rather than by serde's
// untagged form, which reads every value into a buffer first and then tries
// each variant on it: that compiled the buffer's reader and a second reader
// of each variant into the customer's wasm, and said only that the value
// matched no variant. Here a value is read once: a number or a text as it
// is, an object as one struct of every field its variants take (unknown
// fields refused), then checked for which variant it is.

/// Every field of [`Num`]'s object forms.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNum {
    attribute: Option<String>,
    property: Option<String>,
    times: Option<f64>,
    plus: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    otherwise: Option<f64>,
    sum: Option<Vec<Num>>,
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number: written, {\"attribute\": ...} or {\"sum\": [...]}")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Lit(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Lit(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num::Lit(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Num, A::Error> {
                use serde::de::Error as _;
                let raw = RawNum::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                let from_fields = [raw.attribute.is_some(), raw.property.is_some(), raw.times.is_some(), raw.plus.is_some(), raw.min.is_some(), raw.max.is_some(), raw.otherwise.is_some()];
                match (raw.sum, raw.attribute) {
                    (Some(_), _) if from_fields.contains(&true) => Err(A::Error::custom("a sum takes only `sum`")),
                    (Some(sum), _) => Ok(Num::Sum { sum }),
                    (None, Some(attribute)) => Ok(Num::From(NumFrom {
                        attribute,
                        property: raw.property,
                        times: raw.times.unwrap_or(1.0),
                        plus: raw.plus.unwrap_or(0.0),
                        min: raw.min,
                        max: raw.max,
                        otherwise: raw.otherwise.unwrap_or(0.0),
                    })),
                    (None, None) => Err(A::Error::custom("a number from the choices needs `attribute` (or a sum, `sum`)")),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Every field of [`Color`]'s object forms.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColor {
    gradient: Option<String>,
    attribute: Option<String>,
    property: Option<String>,
    otherwise: Option<String>,
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Color, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Color;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a colour: \"#rrggbb\", {\"gradient\": ID} or {\"attribute\", \"property\", \"otherwise\"}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Color, E> {
                Ok(Color::Lit(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Color, A::Error> {
                use serde::de::Error as _;
                let raw = RawColor::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                match raw {
                    RawColor { gradient: Some(gradient), attribute: None, property: None, otherwise: None } => Ok(Color::Gradient { gradient }),
                    RawColor { gradient: None, attribute: Some(attribute), property: Some(property), otherwise: Some(otherwise) } => {
                        Ok(Color::From { attribute, property, otherwise })
                    }
                    RawColor { gradient: Some(_), .. } => Err(A::Error::custom("a gradient colour takes only `gradient`")),
                    _ => Err(A::Error::custom("a colour from the choices needs `attribute`, `property` and `otherwise`")),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Both fields of [`TextValue`]'s object forms.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    text: Option<String>,
    label_of: Option<String>,
}

impl<'de> Deserialize<'de> for TextValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TextValue, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TextValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text: written, {\"text\": ID} or {\"label_of\": ATTRIBUTE}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TextValue, E> {
                Ok(TextValue::Lit(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TextValue, A::Error> {
                use serde::de::Error as _;
                match RawText::deserialize(serde::de::value::MapAccessDeserializer::new(map))? {
                    RawText { text: Some(text), label_of: None } => Ok(TextValue::Free { text }),
                    RawText { text: None, label_of: Some(label_of) } => Ok(TextValue::Label { label_of }),
                    _ => Err(A::Error::custom("a text takes one of `text` and `label_of`")),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Fill and stroke of a shape.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stroke: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stroke_width: Option<Num>,
    /// Dashes and gaps of the stroke (stitching).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dash: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opacity: Option<Num>,
}

/// The drawing vocabulary, closed: anything else is refused when the model
/// is read. Written as `{"rect": {...}}`; read through [`RawShape`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Rect {
        x: Num,
        y: Num,
        width: Num,
        height: Num,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rx: Option<Num>,
        #[serde(default)]
        paint: Paint,
    },
    Circle {
        cx: Num,
        cy: Num,
        r: Num,
        #[serde(default)]
        paint: Paint,
    },
    Ellipse {
        cx: Num,
        cy: Num,
        rx: Num,
        ry: Num,
        #[serde(default)]
        paint: Paint,
    },
    Line {
        x1: Num,
        y1: Num,
        x2: Num,
        y2: Num,
        #[serde(default)]
        paint: Paint,
    },
    /// A closed outline through points whose coordinates are numbers (so
    /// they may follow the choices: a leg's outline).
    Polygon {
        points: Vec<[Num; 2]>,
        #[serde(default)]
        paint: Paint,
    },
    /// An open line through such points (stitching).
    Polyline {
        points: Vec<[Num; 2]>,
        #[serde(default)]
        paint: Paint,
    },
    /// SVG path data: commands and numbers only.
    Path {
        d: String,
        #[serde(default)]
        paint: Paint,
    },
    Text {
        x: Num,
        y: Num,
        content: TextValue,
        #[serde(default = "font_size")]
        size: Num,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anchor: Option<Anchor>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        paint: Paint,
    },
    /// Shapes moved (then scaled about the new origin).
    Group {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        x: Option<Num>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        y: Option<Num>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<Num>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        when: Vec<Condition>,
        shapes: Vec<Shape>,
    },
}

fn font_size() -> Num {
    Num::Lit(12.0)
}

/// The kinds of [`Shape`], as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Rect,
    Circle,
    Ellipse,
    Line,
    Polygon,
    Polyline,
    Path,
    Text,
    Group,
}

/// Every field any shape takes. Shapes are read as one kind and these
/// fields, then checked per kind, by hand: serde's derive for an enum of
/// struct variants compiles a whole reader per variant, which made the
/// shape reader the largest single function in the customer's wasm.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShape {
    x: Option<Num>,
    y: Option<Num>,
    width: Option<Num>,
    height: Option<Num>,
    rx: Option<Num>,
    ry: Option<Num>,
    cx: Option<Num>,
    cy: Option<Num>,
    r: Option<Num>,
    x1: Option<Num>,
    y1: Option<Num>,
    x2: Option<Num>,
    y2: Option<Num>,
    points: Option<Vec<[Num; 2]>>,
    d: Option<String>,
    content: Option<TextValue>,
    size: Option<Num>,
    anchor: Option<Anchor>,
    bold: Option<bool>,
    paint: Option<Paint>,
    scale: Option<Num>,
    when: Option<Vec<Condition>>,
    shapes: Option<Vec<Shape>>,
}

impl RawShape {
    /// The shape of `kind` from these fields, or what is wrong.
    fn shape(mut self, kind: Kind) -> Result<Shape, String> {
        let name = format!("{kind:?}").to_ascii_lowercase();
        let present: [(&str, bool); 23] = [
            ("x", self.x.is_some()),
            ("y", self.y.is_some()),
            ("width", self.width.is_some()),
            ("height", self.height.is_some()),
            ("rx", self.rx.is_some()),
            ("ry", self.ry.is_some()),
            ("cx", self.cx.is_some()),
            ("cy", self.cy.is_some()),
            ("r", self.r.is_some()),
            ("x1", self.x1.is_some()),
            ("y1", self.y1.is_some()),
            ("x2", self.x2.is_some()),
            ("y2", self.y2.is_some()),
            ("points", self.points.is_some()),
            ("d", self.d.is_some()),
            ("content", self.content.is_some()),
            ("size", self.size.is_some()),
            ("anchor", self.anchor.is_some()),
            ("bold", self.bold.is_some()),
            ("paint", self.paint.is_some()),
            ("scale", self.scale.is_some()),
            ("when", self.when.is_some()),
            ("shapes", self.shapes.is_some()),
        ];
        let (needs, may): (&[&str], &[&str]) = match kind {
            Kind::Rect => (&["x", "y", "width", "height"], &["rx", "paint"]),
            Kind::Circle => (&["cx", "cy", "r"], &["paint"]),
            Kind::Ellipse => (&["cx", "cy", "rx", "ry"], &["paint"]),
            Kind::Line => (&["x1", "y1", "x2", "y2"], &["paint"]),
            Kind::Polygon | Kind::Polyline => (&["points"], &["paint"]),
            Kind::Path => (&["d"], &["paint"]),
            Kind::Text => (&["x", "y", "content"], &["size", "anchor", "bold", "paint"]),
            Kind::Group => (&["shapes"], &["x", "y", "scale", "when"]),
        };
        for (field, here) in present {
            if here && !needs.contains(&field) && !may.contains(&field) {
                return Err(format!("a {name} has no field `{field}` (it takes {})", needs.iter().chain(may).map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")));
            }
            if !here && needs.contains(&field) {
                return Err(format!("a {name} needs `{field}`"));
            }
        }
        // Every field `needs` names is present (checked above).
        let take = |n: &mut Option<Num>| n.take().unwrap_or(Num::Lit(0.0));
        let paint = self.paint.take().unwrap_or_default();
        Ok(match kind {
            Kind::Rect => Shape::Rect { x: take(&mut self.x), y: take(&mut self.y), width: take(&mut self.width), height: take(&mut self.height), rx: self.rx, paint },
            Kind::Circle => Shape::Circle { cx: take(&mut self.cx), cy: take(&mut self.cy), r: take(&mut self.r), paint },
            Kind::Ellipse => Shape::Ellipse { cx: take(&mut self.cx), cy: take(&mut self.cy), rx: take(&mut self.rx), ry: take(&mut self.ry), paint },
            Kind::Line => Shape::Line { x1: take(&mut self.x1), y1: take(&mut self.y1), x2: take(&mut self.x2), y2: take(&mut self.y2), paint },
            Kind::Polygon => Shape::Polygon { points: self.points.unwrap_or_default(), paint },
            Kind::Polyline => Shape::Polyline { points: self.points.unwrap_or_default(), paint },
            Kind::Path => Shape::Path { d: self.d.unwrap_or_default(), paint },
            Kind::Text => Shape::Text {
                x: take(&mut self.x),
                y: take(&mut self.y),
                content: self.content.unwrap_or(TextValue::Lit(String::new())),
                size: self.size.unwrap_or_else(font_size),
                anchor: self.anchor,
                bold: self.bold.unwrap_or(false),
                paint,
            },
            Kind::Group => Shape::Group { x: self.x, y: self.y, scale: self.scale, when: self.when.unwrap_or_default(), shapes: self.shapes.unwrap_or_default() },
        })
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a shape: {\"rect\": {...}}, {\"circle\": {...}}, ...")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                use serde::de::Error as _;
                let Some(kind) = map.next_key::<Kind>()? else { return Err(A::Error::custom("a shape needs its kind: {\"rect\": {...}}")) };
                let raw: RawShape = map.next_value()?;
                if map.next_key::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom("a shape is one kind: {\"rect\": {...}}, not several in one object"));
                }
                raw.shape(kind).map_err(A::Error::custom)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl VisualDef {
    /// The attributes the drawing depends on (conditions, numbers,
    /// colours and labels), not counting the text alternative.
    pub fn attributes(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let color = |c: &Color, out: &mut std::collections::BTreeSet<String>| {
            if let Color::From { attribute, .. } = c {
                out.insert(attribute.clone());
            }
        };
        for g in &self.gradients {
            for s in &g.stops {
                color(&s.color, &mut out);
            }
        }
        fn walk(shapes: &[Shape], out: &mut std::collections::BTreeSet<String>, color: &dyn Fn(&Color, &mut std::collections::BTreeSet<String>)) {
            fn num(n: &Num, out: &mut std::collections::BTreeSet<String>) {
                match n {
                    Num::From(f) => {
                        out.insert(f.attribute.clone());
                    }
                    Num::Sum { sum } => sum.iter().for_each(|n| num(n, out)),
                    Num::Lit(_) => {}
                }
            }
            for shape in shapes {
                match shape {
                    Shape::Text { content: TextValue::Label { label_of }, .. } => {
                        out.insert(label_of.clone());
                    }
                    Shape::Group { when, shapes, .. } => {
                        out.extend(when.iter().map(|c| c.attribute.clone()));
                        walk(shapes, out, color);
                    }
                    _ => {}
                }
                for (_, n) in shape.nums() {
                    num(n, out);
                }
                if let Some(p) = paint_of(shape) {
                    for c in p.fill.iter().chain(p.stroke.iter()) {
                        color(c, out);
                    }
                    for n in p.stroke_width.iter().chain(p.opacity.iter()) {
                        num(n, out);
                    }
                }
            }
        }
        for layer in &self.layers {
            out.extend(layer.when.iter().map(|c| c.attribute.clone()));
            walk(&layer.shapes, &mut out, &color);
        }
        out
    }
}

/// The most shapes a visual may hold (keeps pictures a few KB).
pub const MAX_SHAPES: usize = 400;

/// Whether `s` is a colour the renderer writes: `#rgb`, `#rrggbb`, `none`.
pub fn color_ok(s: &str) -> bool {
    s == "none" || (s.len() == 4 || s.len() == 7) && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `d` is path data: command letters, numbers, separators.
fn path_ok(d: &str) -> bool {
    !d.is_empty() && d.len() <= 4000 && d.bytes().all(|b| b"MmLlHhVvCcSsQqTtAaZz0123456789.,-+eE ".contains(&b))
}

/// What the checks of a visual need of its model.
pub(crate) struct Names<'a> {
    pub attributes: &'a std::collections::HashMap<String, usize>,
    pub texts: HashSet<String>,
}

/// Checks a visual; the error is (place under `visual`, reason).
pub(crate) fn check(v: &VisualDef, names: &Names<'_>, condition: &dyn Fn(&Condition, &str) -> Result<(), (String, String)>) -> Result<(), (String, String)> {
    check_view_box(&v.view_box, "visual")?;
    let mut ids = HashSet::new();
    for (g, grad) in v.gradients.iter().enumerate() {
        let place = format!("visual.gradients[{g}]");
        if grad.id.is_empty() || grad.id.len() > 40 || !grad.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err((format!("{place}.id"), "must be letters, digits and -".into()));
        }
        if !ids.insert(grad.id.clone()) {
            return Err((format!("{place}.id"), format!("duplicate gradient id \"{}\"", grad.id)));
        }
        if grad.stops.is_empty() {
            return Err((format!("{place}.stops"), "a gradient needs at least one stop".into()));
        }
        for (s, stop) in grad.stops.iter().enumerate() {
            if !(0.0..=1.0).contains(&stop.offset) {
                return Err((format!("{place}.stops[{s}].offset"), "must be between 0 and 1".into()));
            }
            check_color(&stop.color, &format!("{place}.stops[{s}].color"), names, &HashSet::new())?;
        }
    }
    for a in &v.alt {
        if !names.attributes.contains_key(a) {
            return Err(("visual.alt".into(), format!("unknown attribute \"{a}\"")));
        }
    }
    let mut count = 0;
    for (l, layer) in v.layers.iter().enumerate() {
        let place = format!("visual.layers[{l}]");
        for (c, cond) in layer.when.iter().enumerate() {
            condition(cond, &format!("{place}.when[{c}]"))?;
        }
        check_shapes(&layer.shapes, &format!("{place}.shapes"), names, &ids, condition, &mut count)?;
    }
    if count > MAX_SHAPES {
        return Err(("visual.layers".into(), format!("{count} shapes; at most {MAX_SHAPES}")));
    }
    Ok(())
}

/// Checks the `view_box` under `place`: finite, with a positive width and
/// height.
fn check_view_box(view_box: &[f64; 4], place: &str) -> Result<(), (String, String)> {
    let [_, _, w, h] = *view_box;
    if !(view_box.iter().all(|x| x.is_finite()) && w > 0.0 && h > 0.0) {
        return Err((format!("{place}.view_box"), "must be [x, y, width, height] with a positive width and height".into()));
    }
    Ok(())
}

/// Checks a swatch drawing (`place` is the option's `swatch`).
pub(crate) fn check_swatch(
    d: &SwatchDrawing,
    place: &str,
    names: &Names<'_>,
    condition: &dyn Fn(&Condition, &str) -> Result<(), (String, String)>,
) -> Result<(), (String, String)> {
    check_view_box(&d.view_box, place)?;
    let mut count = 0;
    check_shapes(&d.shapes, &format!("{place}.shapes"), names, &HashSet::new(), condition, &mut count)?;
    if count > MAX_SWATCH_SHAPES {
        return Err((format!("{place}.shapes"), format!("{count} shapes, at most {MAX_SWATCH_SHAPES} in a swatch")));
    }
    Ok(())
}

fn check_shapes(
    shapes: &[Shape],
    place: &str,
    names: &Names<'_>,
    gradients: &HashSet<String>,
    condition: &dyn Fn(&Condition, &str) -> Result<(), (String, String)>,
    count: &mut usize,
) -> Result<(), (String, String)> {
    for (i, shape) in shapes.iter().enumerate() {
        *count += 1;
        let place = format!("{place}[{i}]");
        match shape {
            Shape::Polygon { points, .. } | Shape::Polyline { points, .. } if points.len() < 2 || points.len() > 64 => {
                return Err((format!("{place}.points"), "2 to 64 points".into()));
            }
            Shape::Path { d, .. } if !path_ok(d) => {
                return Err((format!("{place}.path.d"), "path data may hold only commands (M L H V C S Q T A Z), numbers and separators".into()));
            }
            Shape::Text { content, .. } => match content {
                TextValue::Lit(s) if s.chars().count() > 200 => return Err((format!("{place}.text.content"), "at most 200 characters".into())),
                TextValue::Free { text } if !names.texts.contains(text) => return Err((format!("{place}.text.content.text"), format!("unknown text \"{text}\""))),
                TextValue::Label { label_of } if !names.attributes.contains_key(label_of) => {
                    return Err((format!("{place}.text.content.label_of"), format!("unknown attribute \"{label_of}\"")));
                }
                _ => {}
            },
            Shape::Group { when, shapes, .. } => {
                for (c, cond) in when.iter().enumerate() {
                    condition(cond, &format!("{place}.group.when[{c}]"))?;
                }
                check_shapes(shapes, &format!("{place}.group.shapes"), names, gradients, condition, count)?;
            }
            _ => {}
        }
        for (name, n) in shape.nums() {
            check_num(n, &format!("{place}.{name}"), names)?;
        }
        if let Some(paint) = paint_of(shape) {
            for (name, c) in [("fill", &paint.fill), ("stroke", &paint.stroke)] {
                if let Some(c) = c {
                    check_color(c, &format!("{place}.paint.{name}"), names, gradients)?;
                }
            }
            for (name, n) in [("stroke_width", &paint.stroke_width), ("opacity", &paint.opacity)] {
                if let Some(n) = n {
                    check_num(n, &format!("{place}.paint.{name}"), names)?;
                }
            }
            if paint.dash.len() > 8 || paint.dash.iter().any(|d| !(d.is_finite() && *d >= 0.0)) {
                return Err((format!("{place}.paint.dash"), "at most 8 non-negative numbers".into()));
            }
        }
    }
    Ok(())
}

impl Shape {
    /// The shape's own numbers (not those of a group's shapes), by field.
    fn nums(&self) -> Vec<(&'static str, &Num)> {
        match self {
            Shape::Rect { x, y, width, height, rx, .. } => [("x", x), ("y", y), ("width", width), ("height", height)].into_iter().chain(rx.iter().map(|r| ("rx", r))).collect(),
            Shape::Circle { cx, cy, r, .. } => vec![("cx", cx), ("cy", cy), ("r", r)],
            Shape::Ellipse { cx, cy, rx, ry, .. } => vec![("cx", cx), ("cy", cy), ("rx", rx), ("ry", ry)],
            Shape::Line { x1, y1, x2, y2, .. } => vec![("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)],
            Shape::Polygon { points, .. } | Shape::Polyline { points, .. } => points.iter().flat_map(|p| [("points", &p[0]), ("points", &p[1])]).collect(),
            Shape::Path { .. } => Vec::new(),
            Shape::Text { x, y, size, .. } => vec![("x", x), ("y", y), ("size", size)],
            Shape::Group { x, y, scale, .. } => [("x", x), ("y", y), ("scale", scale)].into_iter().filter_map(|(n, v)| v.as_ref().map(|v| (n, v))).collect(),
        }
    }
}

fn paint_of(shape: &Shape) -> Option<&Paint> {
    match shape {
        Shape::Rect { paint, .. }
        | Shape::Circle { paint, .. }
        | Shape::Ellipse { paint, .. }
        | Shape::Line { paint, .. }
        | Shape::Polygon { paint, .. }
        | Shape::Polyline { paint, .. }
        | Shape::Path { paint, .. }
        | Shape::Text { paint, .. } => Some(paint),
        Shape::Group { .. } => None,
    }
}

fn check_num(n: &Num, place: &str, names: &Names<'_>) -> Result<(), (String, String)> {
    match n {
        Num::Lit(x) if !x.is_finite() => Err((place.into(), "must be a finite number".into())),
        Num::Lit(_) => Ok(()),
        Num::Sum { sum } => {
            if sum.is_empty() || sum.len() > 8 {
                return Err((format!("{place}.sum"), "1 to 8 numbers".into()));
            }
            for (i, n) in sum.iter().enumerate() {
                if matches!(n, Num::Sum { .. }) {
                    return Err((format!("{place}.sum[{i}]"), "a sum of sums is not accepted".into()));
                }
                check_num(n, &format!("{place}.sum[{i}]"), names)?;
            }
            Ok(())
        }
        Num::From(f) => {
            if !names.attributes.contains_key(&f.attribute) {
                return Err((format!("{place}.attribute"), format!("unknown attribute \"{}\"", f.attribute)));
            }
            if ![f.times, f.plus, f.otherwise].iter().chain(f.min.iter()).chain(f.max.iter()).all(|x| x.is_finite()) {
                return Err((place.into(), "times, plus, min, max and otherwise must be finite numbers".into()));
            }
            Ok(())
        }
    }
}

fn check_color(c: &Color, place: &str, names: &Names<'_>, gradients: &HashSet<String>) -> Result<(), (String, String)> {
    match c {
        Color::Lit(s) if !color_ok(s) => Err((place.into(), format!("\"{}\" is not a colour (#rgb, #rrggbb or none)", s.chars().take(20).collect::<String>()))),
        Color::Lit(_) => Ok(()),
        Color::Gradient { gradient } if !gradients.contains(gradient) => Err((format!("{place}.gradient"), format!("unknown gradient \"{gradient}\""))),
        Color::Gradient { .. } => Ok(()),
        Color::From { attribute, otherwise, .. } => {
            if !names.attributes.contains_key(attribute) {
                return Err((format!("{place}.attribute"), format!("unknown attribute \"{attribute}\"")));
            }
            if !color_ok(otherwise) {
                return Err((format!("{place}.otherwise"), format!("\"{}\" is not a colour", otherwise.chars().take(20).collect::<String>())));
            }
            Ok(())
        }
    }
}

/// A rendered picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// A standalone SVG document (no scripts, no external references).
    pub svg: String,
    /// The text alternative, composed from the choices.
    pub alt: String,
}

/// Escapes text for XML content and attribute values.
fn escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
}

/// A number as SVG writes it: at most two decimals, no trailing zeros.
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r == r.trunc() { format!("{}", r as i64) } else { format!("{r}").trim_end_matches('0').to_string() }
}

struct Renderer<'a> {
    model: &'a Model,
    choices: &'a Choices,
    texts: &'a BTreeMap<String, String>,
    lang: &'a str,
    /// Prefix of gradient ids, so two pictures on one page do not clash.
    prefix: &'a str,
    out: String,
}

impl Renderer<'_> {
    fn holds(&self, when: &[Condition]) -> bool {
        when.iter().all(|c| {
            let Some(a) = self.model.attribute(&c.attribute) else { return false };
            self.choices.0.get(a).copied().flatten().is_some_and(|o| c.options.iter().any(|id| self.model.attributes()[a].options[o].id == *id))
        })
    }

    fn chosen(&self, attribute: &str) -> Option<&crate::model::OptionDef> {
        let a = self.model.attribute(attribute)?;
        let o = self.choices.0.get(a).copied().flatten()?;
        self.model.attributes()[a].options.get(o)
    }

    fn num(&self, n: &Num) -> f64 {
        match n {
            Num::Lit(x) => *x,
            Num::Sum { sum } => sum.iter().map(|n| self.num(n)).sum(),
            Num::From(f) => {
                let value = self.chosen(&f.attribute).and_then(|o| match &f.property {
                    Some(p) => o.properties.get(p).and_then(|v| v.as_f64()),
                    None => crate::model::parse_number(&o.id),
                });
                match value {
                    Some(v) => {
                        let v = v * f.times + f.plus;
                        let v = f.min.map_or(v, |m| v.max(m));
                        f.max.map_or(v, |m| v.min(m))
                    }
                    None => f.otherwise,
                }
            }
        }
    }

    fn color(&self, c: &Color) -> String {
        match c {
            Color::Lit(s) => s.clone(),
            Color::Gradient { gradient } => format!("url(#{}{gradient})", self.prefix),
            Color::From { attribute, property, otherwise } => self
                .chosen(attribute)
                .and_then(|o| o.properties.get(property))
                .and_then(|v| v.as_str())
                .filter(|s| color_ok(s))
                .unwrap_or(otherwise)
                .to_string(),
        }
    }

    fn view_box(&mut self, [x, y, w, h]: &[f64; 4]) {
        let v = format!("{} {} {} {}", num(*x), num(*y), num(*w), num(*h));
        self.attr("viewBox", &v);
    }

    fn attr(&mut self, name: &str, value: &str) {
        let _ = write!(self.out, " {name}=\"");
        escape(value, &mut self.out);
        self.out.push('"');
    }

    fn paint(&mut self, p: &Paint) {
        if let Some(c) = &p.fill {
            let c = self.color(c);
            self.attr("fill", &c);
        }
        if let Some(c) = &p.stroke {
            let c = self.color(c);
            self.attr("stroke", &c);
        }
        if let Some(n) = &p.stroke_width {
            let v = num(self.num(n).max(0.0));
            self.attr("stroke-width", &v);
        }
        if !p.dash.is_empty() {
            let v = p.dash.iter().map(|d| num(*d)).collect::<Vec<_>>().join(" ");
            self.attr("stroke-dasharray", &v);
        }
        if let Some(n) = &p.opacity {
            let v = num(self.num(n).clamp(0.0, 1.0));
            self.attr("opacity", &v);
        }
    }

    fn nums(&mut self, pairs: &[(&str, &Num)], non_negative: &[&str]) {
        for (name, n) in pairs {
            let mut v = self.num(n);
            if non_negative.contains(name) {
                v = v.max(0.0);
            }
            let v = num(v);
            self.attr(name, &v);
        }
    }

    fn shapes(&mut self, shapes: &[Shape]) {
        for shape in shapes {
            match shape {
                Shape::Rect { x, y, width, height, rx, paint } => {
                    self.out.push_str("<rect");
                    self.nums(&[("x", x), ("y", y), ("width", width), ("height", height)], &["width", "height"]);
                    if let Some(rx) = rx {
                        self.nums(&[("rx", rx)], &["rx"]);
                    }
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Circle { cx, cy, r, paint } => {
                    self.out.push_str("<circle");
                    self.nums(&[("cx", cx), ("cy", cy), ("r", r)], &["r"]);
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Ellipse { cx, cy, rx, ry, paint } => {
                    self.out.push_str("<ellipse");
                    self.nums(&[("cx", cx), ("cy", cy), ("rx", rx), ("ry", ry)], &["rx", "ry"]);
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Line { x1, y1, x2, y2, paint } => {
                    self.out.push_str("<line");
                    self.nums(&[("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)], &[]);
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Polygon { points, paint } | Shape::Polyline { points, paint } => {
                    let tag = if matches!(shape, Shape::Polygon { .. }) { "polygon" } else { "polyline" };
                    let pts = points.iter().map(|[x, y]| format!("{},{}", num(self.num(x)), num(self.num(y)))).collect::<Vec<_>>().join(" ");
                    let _ = write!(self.out, "<{tag}");
                    self.attr("points", &pts);
                    if tag == "polyline" && paint.fill.is_none() {
                        self.attr("fill", "none");
                    }
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Path { d, paint } => {
                    self.out.push_str("<path");
                    self.attr("d", d);
                    self.paint(paint);
                    self.out.push_str("/>");
                }
                Shape::Text { x, y, content, size, anchor, bold, paint } => {
                    let text = match content {
                        TextValue::Lit(s) => s.clone(),
                        TextValue::Free { text } => self.texts.get(text).cloned().unwrap_or_default(),
                        TextValue::Label { label_of } => self.chosen(label_of).map(|o| o.label.get(self.lang).to_string()).unwrap_or_default(),
                    };
                    if text.is_empty() {
                        continue;
                    }
                    self.out.push_str("<text");
                    self.nums(&[("x", x), ("y", y), ("font-size", size)], &["font-size"]);
                    if let Some(a) = anchor {
                        self.attr("text-anchor", match a {
                            Anchor::Start => "start",
                            Anchor::Middle => "middle",
                            Anchor::End => "end",
                        });
                    }
                    if *bold {
                        self.attr("font-weight", "700");
                    }
                    self.paint(paint);
                    self.out.push('>');
                    escape(&text, &mut self.out);
                    self.out.push_str("</text>");
                }
                Shape::Group { x, y, scale, when, shapes } => {
                    if !self.holds(when) {
                        continue;
                    }
                    let (dx, dy) = (x.as_ref().map_or(0.0, |n| self.num(n)), y.as_ref().map_or(0.0, |n| self.num(n)));
                    let s = scale.as_ref().map_or(1.0, |n| self.num(n));
                    let mut t = String::new();
                    if dx != 0.0 || dy != 0.0 {
                        t.push_str(&format!("translate({} {})", num(dx), num(dy)));
                    }
                    if s != 1.0 {
                        t.push_str(&format!("{}scale({})", if t.is_empty() { "" } else { " " }, num(s)));
                    }
                    self.out.push_str("<g");
                    if !t.is_empty() {
                        self.attr("transform", &t);
                    }
                    self.out.push('>');
                    self.shapes(shapes);
                    self.out.push_str("</g>");
                }
            }
        }
    }
}

impl Model {
    /// The text alternative of a configuration: "Starter desktop PC:
    /// Processor AMD Ryzen 5 7600, Memory 16 GB" (the visual's `alt`
    /// attributes, else every attribute; open ones left out).
    pub fn picture_alt(&self, choices: &Choices, lang: &str) -> String {
        let attrs: Vec<usize> = match self.def().visual.as_ref().filter(|v| !v.alt.is_empty()) {
            Some(v) => v.alt.iter().filter_map(|a| self.attribute(a)).collect(),
            None => (0..self.attributes().len()).collect(),
        };
        let parts: Vec<String> = attrs
            .into_iter()
            .filter_map(|a| {
                let at = &self.attributes()[a];
                let o = choices.0.get(a).copied().flatten()?;
                Some(format!("{} {}", at.label.get(lang), at.options[o].label.get(lang)))
            })
            .collect();
        let sep = if lang == "zh" { "，" } else { ", " };
        format!("{}{}{}", self.def().name.get(lang), if lang == "zh" { "：" } else { ": " }, parts.join(sep))
    }

    /// The swatch of option `o` of attribute `a` as a small decorative SVG
    /// (hidden from screen readers: the option's name says it), or `None`
    /// when it has none.
    pub fn swatch(&self, a: usize, o: usize) -> Option<String> {
        let swatch = self.attributes().get(a)?.options.get(o)?.swatch.as_ref()?;
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"18\" height=\"18\" aria-hidden=\"true\" focusable=\"false\" data-testid=\"swatch\"";
        match swatch {
            Swatch::Color(c) => {
                let mut out = format!("{head} viewBox=\"0 0 12 12\"><circle cx=\"6\" cy=\"6\" r=\"5.2\" fill=\"");
                escape(c, &mut out);
                out.push_str("\" stroke=\"#6b7280\" stroke-width=\"0.8\"/></svg>");
                Some(out)
            }
            Swatch::Drawing(d) => {
                let mut choices = Choices::defaults(self);
                if let Some(slot) = choices.0.get_mut(a) {
                    *slot = Some(o);
                }
                let texts = BTreeMap::new();
                let mut r = Renderer { model: self, choices: &choices, texts: &texts, lang: "en", prefix: "", out: String::with_capacity(256) };
                r.out.push_str(head);
                r.view_box(&d.view_box);
                r.out.push('>');
                r.shapes(&d.shapes);
                r.out.push_str("</svg>");
                Some(r.out)
            }
        }
    }

    /// The picture of a configuration in `lang`, or `None` for a model
    /// without a visual. `id` distinguishes pictures on one page (it
    /// prefixes gradient ids; letters, digits and - only).
    pub fn picture(&self, choices: &Choices, texts: &BTreeMap<String, String>, lang: &str, id: &str) -> Option<Picture> {
        let alt = self.picture_alt(choices, lang);
        let svg = self.draw(choices, texts, lang, id, Some(&alt))?;
        Some(Picture { svg, alt })
    }

    /// The drawing alone, without text alternative or texts, in English:
    /// what the eye sees of a configuration (the catalogue health compares
    /// these to find options the picture does not show).
    pub(crate) fn drawing(&self, choices: &Choices) -> Option<String> {
        self.draw(choices, &BTreeMap::new(), "en", "", None)
    }

    fn draw(&self, choices: &Choices, texts: &BTreeMap<String, String>, lang: &str, id: &str, alt: Option<&str>) -> Option<String> {
        let v = self.def().visual.as_ref()?;
        let prefix: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect::<String>() + "-";
        let mut r = Renderer { model: self, choices, texts, lang, prefix: &prefix, out: String::with_capacity(4096) };
        r.out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\"");
        r.view_box(&v.view_box);
        r.attr("role", "img");
        if let Some(alt) = alt {
            r.attr("aria-label", alt);
            r.out.push_str("><title>");
            escape(alt, &mut r.out);
            r.out.push_str("</title>");
        } else {
            r.out.push('>');
        }
        if !v.gradients.is_empty() {
            r.out.push_str("<defs>");
            for g in &v.gradients {
                r.out.push_str("<linearGradient");
                r.attr("id", &format!("{prefix}{}", g.id));
                r.nums(&[("x1", &Num::Lit(g.x1)), ("y1", &Num::Lit(g.y1)), ("x2", &Num::Lit(g.x2)), ("y2", &Num::Lit(g.y2))], &[]);
                r.out.push('>');
                for s in &g.stops {
                    r.out.push_str("<stop");
                    r.attr("offset", &num(s.offset));
                    let c = r.color(&s.color);
                    r.attr("stop-color", &c);
                    r.out.push_str("/>");
                }
                r.out.push_str("</linearGradient>");
            }
            r.out.push_str("</defs>");
        }
        for layer in &v.layers {
            if r.holds(&layer.when) {
                r.shapes(&layer.shapes);
            }
        }
        r.out.push_str("</svg>");
        Some(r.out)
    }
}

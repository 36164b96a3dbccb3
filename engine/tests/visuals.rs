//! Pictures (issue 17): every option the drawing depends on changes it, the
//! text alternative names the choices, pictures stay small, free texts are
//! escaped, and the model reader refuses anything that could run code or
//! fetch something.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use tailor_engine::{CatalogueIndex, Choices, Model};

fn shipped() -> Vec<Model> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/catalogue");
    let index = CatalogueIndex::from_json("index.json", &std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    index.products.iter().map(|p| Model::from_json(&p.file, &std::fs::read_to_string(dir.join(&p.file)).unwrap()).unwrap()).collect()
}

/// The drawing without its title and label (which name the choices).
fn drawing(svg: &str) -> String {
    let start = svg.find("</title>").map_or(0, |i| i + "</title>".len());
    svg[start..].to_string()
}

#[test]
fn every_option_the_drawing_depends_on_changes_it() {
    let mut drawn = 0;
    for m in shipped() {
        let Some(v) = m.def().visual.as_ref() else { continue };
        drawn += 1;
        let base = Choices::defaults(&m);
        let attrs = v.attributes();
        assert!(!attrs.is_empty(), "{}: the drawing depends on no choice", m.id());
        for id in attrs {
            let a = m.attribute(&id).unwrap();
            let mut seen = HashSet::new();
            for o in 0..m.attributes()[a].options.len() {
                let mut c = base.clone();
                c.0[a] = Some(o);
                let p = m.picture(&c, &BTreeMap::new(), "en", "t").unwrap();
                assert!(seen.insert(drawing(&p.svg)), "{}: {} = {} draws the same as another option", m.id(), id, m.attributes()[a].options[o].id);
            }
        }
    }
    assert!(drawn >= 1, "some shipped product has a picture");
}

#[test]
fn the_text_alternative_names_the_choices_in_both_languages() {
    let m = shipped().into_iter().find(|m| m.id() == "pc-starter").unwrap();
    let c = Choices::defaults(&m);
    let p = m.picture(&c, &BTreeMap::new(), "en", "t").unwrap();
    for a in 0..m.attributes().len() {
        let at = &m.attributes()[a];
        let chosen = &at.options[c.0[a].unwrap()].label;
        assert!(p.alt.contains(chosen.get("en")) && p.alt.contains(at.label.get("en")), "{}", p.alt);
    }
    assert!(p.svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && p.svg.contains("role=\"img\""));
    assert!(p.svg.contains(&format!("<title>{}</title>", p.alt)));
    let zh = m.picture(&c, &BTreeMap::new(), "zh", "t").unwrap();
    assert!(zh.alt.starts_with("入门台式电脑：") && zh.alt.contains("AMD 锐龙 5 7600"), "{}", zh.alt);
    // An open attribute is left out, not shown as empty.
    let mut open = c.clone();
    open.0[0] = None;
    assert!(!m.picture_alt(&open, "en").contains(m.attributes()[0].label.get("en")));
}

#[test]
fn pictures_stay_small_and_render_fast_enough_for_every_configuration() {
    for m in shipped() {
        if m.def().visual.is_none() {
            continue;
        }
        let mut rng = tailor_engine::bench::Rng::new(5);
        for _ in 0..50 {
            let c = tailor_engine::bench::random_choices(&m, &mut rng);
            let p = m.picture(&c, &BTreeMap::new(), "zh", "t").unwrap();
            assert!(p.svg.len() <= 16 * 1024, "{}: {} bytes", m.id(), p.svg.len());
        }
    }
}

/// A small model with the given visual.
fn with_visual(visual: &str) -> Result<Model, tailor_engine::ModelError> {
    let text = format!(
        r##"{{"format": "tailor-model/1", "id": "mug", "version": "1", "name": {{"en": "Mug"}}, "currency": "EUR",
            "attributes": [{{"id": "colour", "label": {{"en": "Colour"}}, "options": [
                {{"id": "red", "label": {{"en": "Red"}}, "properties": {{"hex": "#c00", "bad": "url(http://evil.example/x)", "w": 10}}}},
                {{"id": "blue", "label": {{"en": "Blue"}}, "properties": {{"hex": "#00c", "w": 20}}}}]}}],
            "texts": [{{"id": "name", "label": {{"en": "Name"}}, "max_length": 20}}],
            "visual": {visual}}}"##
    );
    Model::from_json("mug.json", &text)
}

#[test]
fn the_reader_refuses_what_could_run_code_or_fetch_anything() {
    let ok = r##"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"circle": {"cx": 50, "cy": 50, "r": 40, "paint": {"fill": {"attribute": "colour", "property": "hex", "otherwise": "#888"}}}}]}]}"##;
    assert!(with_visual(ok).is_ok(), "{:?}", with_visual(ok).err());
    let refused = [
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"script": {"code": "alert(1)"}}]}]}"#, "unknown variant `script`"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"foreignobject": {}}]}]}"#, "unknown variant"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"circle": {"cx": 1, "cy": 1, "r": 1, "onclick": "x()"}}]}]}"#, "unknown field `onclick`"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"rect": {"x": 1, "y": 1, "width": 1, "height": 1, "href": "http://x"}}]}]}"#, "unknown field `href`"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"circle": {"cx": 1, "cy": 1, "r": 1, "paint": {"fill": "url(http://evil.example/x)"}}}]}]}"#, "visual.layers[0].shapes[0].paint.fill: \"url(http://evil.exam\" is not a colour"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"path": {"d": "M0 0 javascript:alert(1)"}}]}]}"#, "visual.layers[0].shapes[0].path.d: path data may hold only"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"text": {"x": 1, "y": 1, "content": {"text": "nickname"}}}]}]}"#, "unknown text \"nickname\""),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"circle": {"cx": 1, "cy": 1, "r": 1, "paint": {"fill": {"gradient": "nowhere"}}}}]}]}"#, "unknown gradient \"nowhere\""),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [{"when": [{"attribute": "size", "options": ["l"]}], "shapes": []}]}"#, "visual.layers[0].when[0].attribute: unknown attribute \"size\""),
        (r#"{"view_box": [0, 0, 0, 100], "layers": []}"#, "visual.view_box"),
        (r#"{"view_box": [0, 0, 100, 100], "layers": [], "style": "body{}"}"#, "unknown field `style`"),
    ];
    for (visual, expected) in refused {
        let e = with_visual(visual).expect_err(visual);
        assert!(e.to_string().contains(expected), "{visual}\n  gave: {e}\n  expected: {expected}");
        assert!(e.to_string().starts_with("mug.json: "), "{e}");
    }
}

#[test]
fn free_texts_and_properties_cannot_break_out_of_the_picture() {
    let visual = r##"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [
        {"rect": {"x": 0, "y": 0, "width": 10, "height": 10, "paint": {"fill": {"attribute": "colour", "property": "bad", "otherwise": "#888"}}}},
        {"rect": {"x": 0, "y": 0, "width": 10, "height": 10, "paint": {"fill": {"attribute": "colour", "property": "hex", "otherwise": "#888"}}}},
        {"text": {"x": 1, "y": 1, "content": {"text": "name"}}}]}]}"##;
    let m = with_visual(visual).unwrap();
    let mut texts = BTreeMap::new();
    texts.insert("name".to_string(), "</text><script>alert(\"x\")</script>&".to_string());
    let mut red = Choices::defaults(&m);
    red.0[0] = m.option(0, "red");
    let p = m.picture(&red, &texts, "en", "t").unwrap();
    assert!(!p.svg.contains("<script") && !p.svg.contains("url(http"), "{}", p.svg);
    assert!(p.svg.contains("&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"), "{}", p.svg);
    assert!(p.svg.contains("fill=\"#888\""), "a property that is not a colour falls back: {}", p.svg);
    assert!(p.svg.contains("fill=\"#c00\""), "a colour property is used: {}", p.svg);
}

#[test]
fn points_and_sums_follow_the_choices() {
    let visual = r##"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [
        {"polygon": {"points": [[0, 0], [{"sum": [{"attribute": "colour", "property": "w", "times": 2}, 5]}, 10], [0, 10]], "paint": {"fill": "#123"}}},
        {"polyline": {"points": [[1, 1], [{"attribute": "colour", "property": "w"}, 2.5]], "paint": {"stroke": "#fff", "dash": [2, 1]}}}]}]}"##;
    let m = with_visual(visual).unwrap();
    let mut c = Choices::defaults(&m);
    let draw = |c: &Choices| m.picture(c, &BTreeMap::new(), "en", "t").unwrap().svg;
    assert!(draw(&c).contains(r##"<polygon points="0,0 5,10 0,10" fill="#123"/>"##), "open: the sum of what is known: {}", draw(&c));
    c.0[0] = m.option(0, "red");
    assert!(draw(&c).contains(r##"points="0,0 25,10 0,10""##), "{}", draw(&c));
    assert!(draw(&c).contains(r##"<polyline points="1,1 10,2.5" fill="none" stroke="#fff" stroke-dasharray="2 1"/>"##), "{}", draw(&c));
    c.0[0] = m.option(0, "blue");
    assert!(draw(&c).contains(r##"points="0,0 45,10 0,10""##), "{}", draw(&c));
    let nested = r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"polygon": {"points": [[0, 0], [{"sum": [{"sum": [1]}]}, 1]]}}]}]}"#;
    assert!(with_visual(nested).unwrap_err().to_string().contains("a sum of sums is not accepted"));
    for (shape, says) in [
        (r#"{"rect": {"x": 0, "y": 0, "width": 1}}"#, "a rect needs `height`"),
        (r#"{"circle": {"cx": 0, "cy": 0, "r": 1, "points": [[0, 0], [1, 1]]}}"#, "a circle has no field `points`"),
        (r#"{"circle": {"cx": 0, "cy": 0, "r": 1}, "rect": {"x": 0, "y": 0, "width": 1, "height": 1}}"#, "a shape is one kind"),
        (r#"{"rect": {"x": 0, "y": 0, "width": 1, "height": 1, "onclick": "x"}}"#, "unknown field `onclick`"),
        (r#"{}"#, "a shape needs its kind"),
    ] {
        let e = with_visual(&format!(r#"{{"view_box": [0, 0, 100, 100], "layers": [{{"shapes": [{shape}]}}]}}"#)).unwrap_err().to_string();
        assert!(e.contains(says), "{shape}: {e}");
    }
    let one = r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"polyline": {"points": [[0, 0]]}}]}]}"#;
    assert!(with_visual(one).unwrap_err().to_string().contains("visual.layers[0].shapes[0].points: 2 to 64 points"));
}

#[test]
fn swatches_are_colours_and_nothing_else() {
    let model = |swatch: &str| {
        Model::from_json(
            "cup.json",
            &format!(r#"{{"format": "tailor-model/1", "id": "cup", "version": "1", "name": {{"en": "Cup"}}, "currency": "EUR",
                "attributes": [{{"id": "colour", "label": {{"en": "Colour"}}, "options": [{{"id": "red", "swatch": {swatch}, "label": {{"en": "Red"}}}}]}}]}}"#),
        )
    };
    let red = model(r##""#c00""##).unwrap();
    assert_eq!(red.attributes()[0].options[0].swatch, Some(tailor_engine::visual::Swatch::Color("#c00".into())));
    assert!(red.swatch(0, 0).unwrap().contains(r##"fill="#c00""##));
    for bad in [r#""red""#, r#""url(http://x)""#, r#""none""#, r##""#12345""##] {
        let e = model(bad).unwrap_err().to_string();
        assert!(e.contains("attributes[0].options[0].swatch: ") && e.contains("is not a colour"), "{bad}: {e}");
    }
    // A tiny drawing, in the visual's vocabulary, drawn as if the option
    // were chosen; the same checks, with the place.
    let drawn = model(r##"{"view_box": [0, 0, 10, 10], "shapes": [{"rect": {"x": 1, "y": 1, "width": 8, "height": 8, "paint": {"stroke": "#222"}}},
        {"line": {"x1": 5, "y1": 1, "x2": 5, "y2": 9}}, {"group": {"when": [{"attribute": "colour", "options": ["red"]}], "shapes": [{"circle": {"cx": 5, "cy": 5, "r": 1}}]}}]}"##)
    .unwrap();
    let svg = drawn.swatch(0, 0).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains(r#"viewBox="0 0 10 10""#) && svg.contains(r#"aria-hidden="true""#), "{svg}");
    assert!(svg.contains("<rect") && svg.contains("<line") && svg.contains("<circle"), "the option is drawn as chosen: {svg}");
    for (bad, says) in [
        (r#"{"view_box": [0, 0, 10, 10], "shapes": [{"script": {"src": "x.js"}}]}"#, "unknown variant `script`"),
        ("5", "expected a swatch: a colour"),
        (r#"{"view_box": [0, 0, 10, 10], "shapes": [{"path": {"d": "M0 0 url(x)"}}]}"#, "attributes[0].options[0].swatch.shapes[0].path.d"),
        (r#"{"view_box": [0, 0, 0, 10], "shapes": []}"#, "attributes[0].options[0].swatch.view_box"),
        (r#"{"view_box": [0, 0, 10, 10], "shapes": [{"rect": {"x": 0, "y": 0, "width": 1, "height": 1, "paint": {"fill": {"gradient": "g"}}}}]}"#, "unknown gradient"),
        (r#"{"view_box": [0, 0, 10, 10], "shapes": [{"group": {"when": [{"attribute": "size", "options": ["x"]}], "shapes": []}}]}"#, "swatch.shapes[0].group.when[0]"),
    ] {
        let e = model(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
    let many = format!(r#"{{"view_box": [0, 0, 10, 10], "shapes": [{}]}}"#, vec![r#"{"circle": {"cx": 1, "cy": 1, "r": 1}}"#; 25].join(","));
    assert!(model(&many).unwrap_err().to_string().contains("25 shapes, at most 24 in a swatch"));
    // The shipped washes, threads, cases and window colours carry one.
    let shipped = shipped();
    for (product, attribute) in [("jeans", "wash"), ("jeans", "thread"), ("pc", "chassis"), ("window", "colour")] {
        let m = shipped.iter().find(|m| m.id() == product).unwrap();
        let a = m.attribute(attribute).unwrap();
        assert!(m.attributes()[a].options.iter().all(|o| o.swatch.is_some()), "{product}.{attribute}");
    }
    // The window's grilles and opening types are drawn, each differently.
    let window = shipped.iter().find(|m| m.id() == "window").unwrap();
    for attribute in ["grille", "opening"] {
        let a = window.attribute(attribute).unwrap();
        let drawn: std::collections::BTreeSet<String> = (0..window.attributes()[a].options.len()).map(|o| window.swatch(a, o).unwrap()).collect();
        assert_eq!(drawn.len(), window.attributes()[a].options.len(), "window.{attribute}");
    }
}

#[test]
fn numbers_colours_and_texts_are_read_in_each_form_and_say_what_is_wrong() {
    use tailor_engine::visual::{Color, Num, NumFrom, TextValue};
    let num = |json: &str| serde_json::from_str::<Num>(json).map_err(|e| e.to_string());
    assert_eq!(num("12"), Ok(Num::Lit(12.0)));
    assert_eq!(num("-1.5"), Ok(Num::Lit(-1.5)));
    assert_eq!(num(r#"{"sum": [1, {"attribute": "w"}]}"#), Ok(Num::Sum { sum: vec![Num::Lit(1.0), Num::From(NumFrom { attribute: "w".into(), property: None, times: 1.0, plus: 0.0, min: None, max: None, otherwise: 0.0 })] }));
    assert_eq!(
        num(r#"{"otherwise": 3, "attribute": "colour", "property": "w", "times": 2, "plus": 1, "min": 0, "max": 50}"#),
        Ok(Num::From(NumFrom { attribute: "colour".into(), property: Some("w".into()), times: 2.0, plus: 1.0, min: Some(0.0), max: Some(50.0), otherwise: 3.0 }))
    );
    let color = |json: &str| serde_json::from_str::<Color>(json).map_err(|e| e.to_string());
    assert_eq!(color(r##""#c00""##), Ok(Color::Lit("#c00".into())));
    assert_eq!(color(r#"{"gradient": "g"}"#), Ok(Color::Gradient { gradient: "g".into() }));
    assert_eq!(
        color(r##"{"attribute": "colour", "property": "hex", "otherwise": "#888"}"##),
        Ok(Color::From { attribute: "colour".into(), property: "hex".into(), otherwise: "#888".into() })
    );
    let text = |json: &str| serde_json::from_str::<TextValue>(json).map_err(|e| e.to_string());
    assert_eq!(text(r#""Hi""#), Ok(TextValue::Lit("Hi".into())));
    assert_eq!(text(r#"{"text": "name"}"#), Ok(TextValue::Free { text: "name".into() }));
    assert_eq!(text(r#"{"label_of": "colour"}"#), Ok(TextValue::Label { label_of: "colour".into() }));
    // What is wrong is said, with its place in the file.
    for (bad, says) in [
        (num(r#"{"sum": [1], "attribute": "w"}"#).map(|_| ()), "a sum takes only `sum`"),
        (num(r#"{"times": 2}"#).map(|_| ()), "needs `attribute`"),
        (num(r#"{"attribute": "w", "tims": 2}"#).map(|_| ()), "unknown field `tims`"),
        (num(r#""12""#).map(|_| ()), "expected a number"),
        (color(r#"{"gradient": "g", "attribute": "colour"}"#).map(|_| ()), "takes only `gradient`"),
        (color(r#"{"attribute": "colour", "property": "hex"}"#).map(|_| ()), "needs `attribute`, `property` and `otherwise`"),
        (color(r##"{"hex": "#c00"}"##).map(|_| ()), "unknown field `hex`"),
        (color("12").map(|_| ()), "expected a colour"),
        (text(r#"{"text": "name", "label_of": "colour"}"#).map(|_| ()), "one of `text` and `label_of`"),
        (text("{}").map(|_| ()), "one of `text` and `label_of`"),
        (text("[]").map(|_| ()), "expected a text"),
    ] {
        let e = bad.expect_err(says);
        assert!(e.contains(says), "{e}\n  expected: {says}");
    }
    let e = with_visual(r#"{"view_box": [0, 0, 100, 100], "layers": [{"shapes": [{"circle": {"cx": 1, "cy": {"sum": [1], "plus": 2}, "r": 1}}]}]}"#).unwrap_err().to_string();
    assert!(e.starts_with("mug.json: line ") && e.contains("a sum takes only `sum`"), "{e}");
}

#[test]
fn every_shipped_picture_reads_back_as_it_is_written() {
    let mut read = 0;
    for m in shipped() {
        let Some(v) = m.def().visual.as_ref() else { continue };
        let written = serde_json::to_string(v).unwrap();
        let again: tailor_engine::visual::VisualDef = serde_json::from_str(&written).unwrap_or_else(|e| panic!("{}: {e}", m.id()));
        assert_eq!(&again, v, "{}", m.id());
        read += 1;
    }
    assert!(read >= 2, "the shipped catalogue has pictures");
}

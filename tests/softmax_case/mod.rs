//! Reading a softmax case of the mpmath reference files (`tests/data/softmax_reference.json`,
//! `tests/data/softmax_offset_reference.json`) into the engine's parameters.

#![allow(dead_code)] // each test binary uses its own subset

use dropscope::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams};
use serde_json::Value;

/// A reference value written as a decimal string; `None` for JSON `null`.
pub fn number(v: &Value) -> Option<f64> {
    v.as_str()
        .map(|s| s.parse::<f64>().expect("decimal string"))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The case's δ, order, classes, masks, contributions and offset.
pub fn params(v: &Value) -> SoftmaxParams {
    let c = &v["contributions"];
    let contributions = match c.get("equal") {
        Some(e) => SoftmaxContributions::Equal {
            logits: floats(&e["logits"]),
            dimension: e["dimension"].as_u64().unwrap(),
        },
        None => SoftmaxContributions::Explicit(
            c["explicit"]
                .as_array()
                .unwrap()
                .iter()
                .map(floats)
                .collect(),
        ),
    };
    SoftmaxParams {
        delta: v["delta"].as_f64().unwrap(),
        order: v["order"].as_u64().unwrap() as usize,
        classes: v["classes"].as_u64().unwrap() as usize,
        masks: match v["masks"].as_str().unwrap() {
            "shared" => Masks::Shared,
            _ => Masks::PerClass,
        },
        contributions,
        offset: v
            .get("offset")
            .and_then(Value::as_array)
            .map(|b| b.iter().map(|x| x.as_f64().unwrap()).collect()),
    }
}

//! The softmax model in the explorer: the `m` cycle, `:classes`, `:logits`, `:masks`, rows
//! through `:weights` and `:weightsfile`, d for equal contributions, and the keys and commands
//! that belong to the binary models only. Every change is validated by the engine's
//! `SoftmaxParams::validate` before it is committed.

use std::path::Path;

use super::{App, Effect};
use crate::engine::softmax::SoftmaxParams;
use crate::params::Params;
use crate::settings::ModelChoice;
use crate::softmax_settings::{Masks, SoftmaxSettings, parse_rows};
use crate::tui::keys::Action;
use crate::weights_file::read_rows_file;

impl App {
    /// `m` and `:model`: switches to `model` (softmax keeps its settings while away).
    pub(super) fn set_model(&mut self, model: ModelChoice) -> Option<Effect> {
        match model {
            ModelChoice::Softmax => self.change_softmax(|_, _, selected| *selected = true),
            ModelChoice::Binary(m) if self.softmax_selected => {
                self.change_softmax(|base, _, selected| {
                    *selected = false;
                    base.model = m;
                })
            }
            ModelChoice::Binary(m) => self.change(|p, _| p.model = m),
        }
    }

    /// `m`: logistic → linear → softmax → logistic.
    pub(super) fn cycle_model(&mut self) -> Option<Effect> {
        self.set_model(self.model().next())
    }

    /// The error for a key of the binary models pressed while softmax is selected; `None`
    /// when the key applies.
    pub(super) fn binary_only_key(&self, action: Action) -> Option<String> {
        if !self.softmax_selected {
            return None;
        }
        let what = match action {
            Action::XbUp | Action::XbDown | Action::XbUpBig | Action::XbDownBig => "xβ",
            Action::CycleProfile | Action::SpreadDown | Action::SpreadUp => "the profile",
            Action::ToggleNoise => "the noise",
            Action::TogglePaperMoments => "the paper's moments",
            _ => return None,
        };
        Some(format!(
            "{what} belongs to the logistic and linear models: softmax takes :logits, :classes, \
             :masks, :weights, :offset (press m for logistic)"
        ))
    }

    /// The error for a `:` command of the binary models while softmax is selected.
    pub(super) fn binary_only_command(&self, name: &str) -> String {
        format!(
            ":{name} belongs to the logistic and linear models: softmax takes :logits, :classes, \
             :masks, :weights, :offset (press m for logistic)"
        )
    }

    /// `:classes Q`: the first logits kept, new classes at logit 0 (rows give way to equal
    /// contributions of the logits).
    pub(super) fn set_classes(&mut self, classes: u64) -> Option<Effect> {
        let classes = usize::try_from(classes).unwrap_or(usize::MAX);
        if classes < 2 {
            self.error(format!(
                "classes q = {classes} is out of range: softmax needs q >= 2"
            ));
            return None;
        }
        if classes > MAX_CLASSES {
            self.error(format!(
                "classes q = {classes} is out of range: the explorer takes q <= {MAX_CLASSES}"
            ));
            return None;
        }
        self.change_softmax(move |_, s, selected| {
            *s = s.with_classes(classes);
            *selected = true;
        })
    }

    /// `:logits η1,…,ηq`: equal contributions η0/d, q from the list.
    pub(super) fn set_logits(&mut self, logits: Vec<f64>) -> Option<Effect> {
        if logits.len() > MAX_CLASSES {
            self.error(format!(
                "{} logits are too many: the explorer takes q <= {MAX_CLASSES}",
                logits.len()
            ));
            return None;
        }
        self.change_softmax(move |_, s, selected| {
            *s = s.with_logits(logits);
            *selected = true;
        })
    }

    /// `:masks shared|per-class`.
    pub(super) fn set_masks(&mut self, masks: Masks) -> Option<Effect> {
        self.change_softmax(move |_, s, selected| {
            s.masks = masks;
            *selected = true;
        })
    }

    /// `:weights c11,…,c1q;c21,…` with softmax selected: explicit rows (d and the logits
    /// from them).
    pub(super) fn set_rows_text(&mut self, text: &str) -> Option<Effect> {
        match parse_rows(text) {
            Ok(rows) => self.set_rows(rows),
            Err(e) => {
                self.error(format!("{e}: :weights takes rows like 1,2,0;0.5,-1,0.3"));
                None
            }
        }
    }

    /// `:weightsfile PATH` with softmax selected: one row of q numbers per line.
    pub(super) fn set_rows_file(&mut self, path: &Path) -> Option<Effect> {
        match read_rows_file(path) {
            Ok(rows) => self.set_rows(rows),
            Err(e) => {
                self.error(e.to_string());
                None
            }
        }
    }

    fn set_rows(&mut self, rows: Vec<Vec<f64>>) -> Option<Effect> {
        if rows.first().is_some_and(|r| r.len() > MAX_CLASSES) {
            self.error(format!(
                "rows of {} entries are too many classes: the explorer takes q <= {MAX_CLASSES}",
                rows[0].len()
            ));
            return None;
        }
        self.change_softmax(move |_, s, _| *s = s.with_rows(rows))
    }

    /// `:offset b1,…,bq` with softmax selected: the undropped per-class offset (q entries).
    pub(super) fn set_softmax_offset(&mut self, offset: Vec<f64>) -> Option<Effect> {
        let q = self.softmax.classes();
        if offset.len() != q {
            self.error(format!(
                "the offset has {} entries but q = {q}: :offset takes one per class",
                offset.len()
            ));
            return None;
        }
        self.change_softmax(move |_, s, _| s.offset = Some(offset))
    }

    /// d with softmax selected: the number of equal contributions (rows fix it).
    pub(super) fn set_softmax_dimension(&mut self, d: u64) -> Option<Effect> {
        if let Some(rows) = &self.softmax.rows {
            self.error(format!(
                "d = {d} conflicts with the {} softmax rows: :logits gives equal contributions",
                rows.len()
            ));
            return None;
        }
        self.change_softmax(move |base, _, _| base.dimension = d)
    }

    /// Applies a change to copies of the base parameters, the softmax settings and the
    /// selection; commits it under a new generation if both models' parameters validate,
    /// else reports the error (one line) and keeps the session as it was.
    pub(super) fn change_softmax(
        &mut self,
        f: impl FnOnce(&mut Params, &mut SoftmaxSettings, &mut bool),
    ) -> Option<Effect> {
        let mut base = self.base.clone();
        let mut settings = self.softmax.clone();
        let mut selected = self.softmax_selected;
        f(&mut base, &mut settings, &mut selected);
        let params = self.profile.apply(&base);
        let softmax =
            SoftmaxParams::from_settings(&settings, base.delta, base.order, base.dimension);
        let checked = if selected {
            softmax.validate().map_err(|e| e.to_string())
        } else {
            params.validate().map_err(|e| e.to_string())
        };
        if let Err(e) = checked {
            self.error(e);
            return None;
        }
        if base == self.base && settings == self.softmax && selected == self.softmax_selected {
            return None;
        }
        let dropped = (self.softmax.offset.is_some() && settings.offset.is_none())
            .then(|| (self.softmax.classes(), settings.classes()));
        self.base = base;
        self.params = params;
        self.softmax = settings;
        self.softmax_selected = selected;
        self.generation += 1;
        self.scroll = 0;
        log::info!(
            "generation {}: {}",
            self.generation,
            softmax_summary(self, true)
        );
        if let Some((from, to)) = dropped {
            self.note(format!(
                "the offset b was dropped: q changed from {from} to {to} (:offset sets it again)"
            ));
        }
        Some(Effect::Evaluate(self.job()))
    }
}

/// Most classes the explorer takes (every class is a bar and a column of each row).
pub const MAX_CLASSES: usize = 64;

/// The model's settings in one line: the softmax ones when it is selected, else the binary
/// summary.
pub fn softmax_summary(app: &App, ascii: bool) -> String {
    if app.softmax_selected {
        softmax_items(app, ascii)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        super::summary(&app.params, &app.profile, ascii)
    }
}

/// The softmax parameters as (name, value) pairs, in header order.
pub fn softmax_items(app: &App, ascii: bool) -> Vec<(&'static str, String)> {
    use crate::tui::format;
    let s = &app.softmax;
    let pick = |u: &'static str, a: &'static str| if ascii { a } else { u };
    let d = s
        .rows
        .as_ref()
        .map_or(app.base.dimension, |r| r.len() as u64);
    let logits = s
        .logits
        .iter()
        .map(|l| format::param(*l))
        .collect::<Vec<_>>()
        .join(",");
    let mut items = vec![
        ("model", "softmax".to_string()),
        (pick("δ", "delta"), format::param(app.base.delta)),
        ("k", app.base.order.to_string()),
        ("q", s.classes().to_string()),
        ("d", d.to_string()),
        ("masks", s.masks.name().to_string()),
        (
            pick("η0", "logits"),
            if s.rows.is_some() {
                format!("{logits} (rows)")
            } else {
                logits
            },
        ),
    ];
    if let Some(b) = s.nonzero_offset() {
        items.push((
            "b",
            b.iter()
                .map(|v| format::param(*v))
                .collect::<Vec<_>>()
                .join(","),
        ));
    }
    items
}

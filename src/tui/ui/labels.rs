//! The one owner of where chart labels go: each label takes cells no earlier label took (with
//! a blank cell between neighbours), shifted along its row or to the rows next to it, or is
//! left out; labels never overwrite each other.

use ratatui::layout::Rect;

/// How many rows above and below its own a label may move.
const ROW_SHIFT: u16 = 1;

/// The cells taken so far in one chart's area.
#[derive(Debug)]
pub struct Placer {
    area: Rect,
    /// (row, first column, one past the last column) of every placed label.
    taken: Vec<(u16, u16, u16)>,
}

impl Placer {
    /// No labels yet in `area`.
    pub fn new(area: Rect) -> Self {
        Placer {
            area,
            taken: Vec::new(),
        }
    }

    /// A mark (one cell, e.g. `●` on a curve) exactly at (`column`, `row`), if that cell is
    /// free: a mark moved elsewhere would point at the wrong value.
    pub fn place_mark(&mut self, column: u16, row: u16) -> Option<(u16, u16)> {
        let inside = (self.area.x..self.area.right()).contains(&column)
            && (self.area.top()..self.area.bottom()).contains(&row);
        let free = self
            .taken
            .iter()
            .all(|&(tr, a, b)| tr != row || column < a || column >= b);
        (inside && free).then(|| {
            self.taken.push((row, column, column + 1));
            (column, row)
        })
    }

    /// Where a label `len` cells wide wanted at (`column`, `row`) goes: that cell if free, else
    /// the nearest free start on its row, else on a neighbouring row; `None` if nowhere fits.
    pub fn place(&mut self, column: u16, row: u16, len: u16) -> Option<(u16, u16)> {
        if len == 0 || len > self.area.width {
            return None;
        }
        let last_start = self.area.right() - len;
        let wanted = column.clamp(self.area.x, last_start);
        let row = row.clamp(self.area.top(), self.area.bottom().saturating_sub(1));
        let rows = std::iter::once(row)
            .chain(
                (1..=ROW_SHIFT)
                    .flat_map(|d| [row.checked_add(d), row.checked_sub(d)])
                    .flatten(),
            )
            .filter(|r| (self.area.top()..self.area.bottom()).contains(r));
        for r in rows.collect::<Vec<_>>() {
            let mut starts = vec![wanted];
            for &(tr, a, b) in &self.taken {
                if tr == r {
                    starts.push(b + 1);
                    starts.push(a.saturating_sub(len + 1));
                }
            }
            starts.retain(|s| (self.area.x..=last_start).contains(s));
            starts.sort_by_key(|s| s.abs_diff(wanted));
            if let Some(&start) = starts.iter().find(|&&s| self.free(r, s, len)) {
                self.taken.push((r, start, start + len));
                return Some((start, r));
            }
        }
        None
    }

    /// Whether `len` cells from `start` on row `r` keep a blank cell from every placed label.
    fn free(&self, r: u16, start: u16, len: u16) -> bool {
        self.taken
            .iter()
            .all(|&(tr, a, b)| tr != r || start + len < a || start > b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_overlap() {
        let mut p = Placer::new(Rect::new(0, 0, 20, 3));
        assert_eq!(p.place(5, 1, 4), Some((5, 1)));
        // Wanted on top of the first: moved along the row, a blank cell apart.
        let (c, r) = p.place(6, 1, 2).unwrap();
        assert_eq!(r, 1);
        assert!(c + 2 < 5 || c > 9, "{c}");
        // Many labels at one spot: every one placed is disjoint from the others.
        let mut spans = vec![(5, 1, 9), (c, r, c + 2)];
        while let Some((c, r)) = p.place(7, 1, 3) {
            for &(a, row, b) in &spans {
                assert!(
                    row != r || c + 3 < a || c > b,
                    "({c},{r}) hits ({a}..{b},{row})"
                );
            }
            spans.push((c, r, c + 3));
        }
        assert!(spans.len() > 3, "the neighbouring rows take labels too");
        assert_eq!(p.place(0, 0, 21), None, "wider than the area");
    }

    #[test]
    fn marks_stay_put_or_are_left_out() {
        let mut p = Placer::new(Rect::new(0, 0, 20, 3));
        assert_eq!(p.place_mark(4, 1), Some((4, 1)));
        assert_eq!(p.place_mark(4, 1), None, "a mark never moves off its value");
        assert_eq!(p.place_mark(5, 1), Some((5, 1)), "marks may touch");
        assert_eq!(p.place_mark(20, 1), None);
        let (c, _) = p.place(4, 1, 3).unwrap();
        assert!(c > 6 || c + 3 < 4, "a label keeps clear of marks: {c}");
    }

    #[test]
    fn a_label_stays_inside_its_area() {
        let mut p = Placer::new(Rect::new(10, 5, 8, 2));
        assert_eq!(p.place(16, 5, 4), Some((14, 5)));
        assert_eq!(p.place(0, 9, 2), Some((10, 6)));
    }
}

//! A three-way merge of two edited sequences with their common ancestor, git's way but by unit
//! (a Markdown block, a list item, a table row) rather than by line, and with one difference
//! that matters for prose: edits to neighbouring units merge cleanly. git treats adjacent
//! edited lines as one conflict; two writers who edit two consecutive paragraphs did not edit
//! the same thing.
//!
//! Each side is diffed against the base (the longest common subsequence of units) into hunks:
//! a range of base units replaced by a range of that side's units (an insertion replaces an
//! empty range). Hunks of the two sides conflict when their base ranges overlap, when one
//! inserts strictly inside the other's range, or when both insert at the same place (which of
//! two new paragraphs comes first is for a writer to say). Conflicting hunks are grouped,
//! transitively; a group touched by one side takes that side's units, a group both sides
//! changed alike takes them once, and any other is a conflict.

use std::ops::Range;

/// Which edited sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Side {
    /// The local one (the Markdown tree).
    Local,
    /// The remote one (Intercom).
    Remote,
}

/// A stretch of the merged sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Region {
    /// These units of one side, as they are.
    Take(Side, Range<usize>),
    /// Both sides changed the same units differently: the local and the remote version.
    Conflict {
        /// The local side's units.
        local: Range<usize>,
        /// The remote side's units.
        remote: Range<usize>,
    },
}

/// Above this many cells the common subsequence of an edited middle is not searched: the
/// middle is one hunk.
const MAX_CELLS: usize = 4_000_000;

/// Base units `base` replaced by units `side` of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunk {
    base: Range<usize>,
    side: Range<usize>,
}

impl Hunk {
    fn is_insertion(&self) -> bool {
        self.base.is_empty()
    }

    /// How many units longer the side is than the base here.
    fn growth(&self) -> isize {
        self.side.len() as isize - self.base.len() as isize
    }
}

/// Merges `local` and `remote`, both edited from `base`; units are compared by key.
pub(crate) fn merge<K: PartialEq>(base: &[K], local: &[K], remote: &[K]) -> Vec<Region> {
    let mut hunks: Vec<(Hunk, Side)> = (diff(base, local).into_iter())
        .map(|h| (h, Side::Local))
        .chain(diff(base, remote).into_iter().map(|h| (h, Side::Remote)))
        .collect();
    hunks.sort_by_key(|(h, side)| (h.base.start, h.base.end, *side));
    let mut out = Vec::new();
    // Where the walk is in the base, and how far each side's positions are ahead of it.
    let (mut at, mut local_shift, mut remote_shift) = (0usize, 0isize, 0isize);
    for group in groups(hunks) {
        let start = group.iter().map(|(h, _)| h.base.start).min().unwrap_or(at);
        let end = group.iter().map(|(h, _)| h.base.end).max().unwrap_or(start);
        if at < start {
            out.push(Region::Take(Side::Local, shifted(at..start, local_shift)));
        }
        let growth = |side: Side| -> isize {
            (group.iter())
                .filter(|(_, s)| *s == side)
                .map(|(h, _)| h.growth())
                .sum()
        };
        let (local_growth, remote_growth) = (growth(Side::Local), growth(Side::Remote));
        let local_range = shifted(start..end, local_shift);
        let local_range = local_range.start..add(local_range.end, local_growth);
        let remote_range = shifted(start..end, remote_shift);
        let remote_range = remote_range.start..add(remote_range.end, remote_growth);
        let sides = (
            group.iter().any(|(_, s)| *s == Side::Local),
            group.iter().any(|(_, s)| *s == Side::Remote),
        );
        out.push(match sides {
            (true, false) => Region::Take(Side::Local, local_range),
            (false, _) => Region::Take(Side::Remote, remote_range),
            (true, true) if local[local_range.clone()] == remote[remote_range.clone()] => {
                Region::Take(Side::Local, local_range)
            }
            (true, true) => Region::Conflict {
                local: local_range,
                remote: remote_range,
            },
        });
        local_shift += local_growth;
        remote_shift += remote_growth;
        at = end;
    }
    if at < base.len() {
        out.push(Region::Take(
            Side::Local,
            shifted(at..base.len(), local_shift),
        ));
    }
    out.retain(|r| !matches!(r, Region::Take(_, range) if range.is_empty()));
    out
}

fn add(n: usize, delta: isize) -> usize {
    n.checked_add_signed(delta)
        .expect("a side's position is never negative")
}

fn shifted(range: Range<usize>, shift: isize) -> Range<usize> {
    add(range.start, shift)..add(range.end, shift)
}

/// The hunks grouped as the module docs say (sorted by base position first).
fn groups(hunks: Vec<(Hunk, Side)>) -> Vec<Vec<(Hunk, Side)>> {
    let mut groups: Vec<Vec<(Hunk, Side)>> = Vec::new();
    // The end of the group's replaced (non-empty) base ranges, and its insertion points.
    let mut replaced_end = 0usize;
    let mut insertions: Vec<usize> = Vec::new();
    for (hunk, side) in hunks {
        let touches = match groups.last() {
            None => false,
            Some(_) if hunk.is_insertion() => {
                let at = hunk.base.start;
                at < replaced_end || insertions.contains(&at)
            }
            Some(_) => hunk.base.start < replaced_end,
        };
        if !touches {
            groups.push(Vec::new());
            replaced_end = 0;
            insertions.clear();
        }
        if hunk.is_insertion() {
            insertions.push(hunk.base.start);
        } else {
            replaced_end = replaced_end.max(hunk.base.end);
        }
        groups.last_mut().expect("a group").push((hunk, side));
    }
    groups
}

/// The hunks that turn `base` into `side`: the gaps of their longest common subsequence (after
/// the common head and tail), a replacement of as many units as it replaces cut into single
/// units, so that each edited unit is a hunk of its own.
fn diff<K: PartialEq>(base: &[K], side: &[K]) -> Vec<Hunk> {
    let head = base.iter().zip(side).take_while(|(a, b)| a == b).count();
    let tail = (base[head..].iter().rev())
        .zip(side[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (base_mid, side_mid) = (head..base.len() - tail, head..side.len() - tail);
    let mut matches = common(&base[base_mid.clone()], &side[side_mid.clone()]);
    for (b, s) in &mut matches {
        *b += head;
        *s += head;
    }
    let mut hunks = Vec::new();
    let (mut b, mut s) = (base_mid.start, side_mid.start);
    for (mb, ms) in matches.into_iter().chain([(base_mid.end, side_mid.end)]) {
        if mb > b || ms > s {
            split_into(
                Hunk {
                    base: b..mb,
                    side: s..ms,
                },
                &mut hunks,
            );
        }
        (b, s) = (mb + 1, ms + 1);
    }
    hunks
}

/// Adds `hunk`, cut into one hunk per unit when it replaces as many units as it removes.
fn split_into(hunk: Hunk, hunks: &mut Vec<Hunk>) {
    if hunk.base.len() == hunk.side.len() && hunk.base.len() > 1 {
        for i in 0..hunk.base.len() {
            let (b, s) = (hunk.base.start + i, hunk.side.start + i);
            hunks.push(Hunk {
                base: b..b + 1,
                side: s..s + 1,
            });
        }
    } else {
        hunks.push(hunk);
    }
}

/// The longest common subsequence of `a` and `b`, as index pairs in order.
fn common<K: PartialEq>(a: &[K], b: &[K]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || (n + 1) * (m + 1) > MAX_CELLS {
        return Vec::new();
    }
    let width = m + 1;
    let mut best = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            best[i * width + j] = if a[i] == b[j] {
                1 + best[(i + 1) * width + j + 1]
            } else {
                best[(i + 1) * width + j].max(best[i * width + j + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if best[(i + 1) * width + j] >= best[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merge as text: taken units joined, conflicts as `<local|remote>`.
    fn merged(base: &str, local: &str, remote: &str) -> String {
        let units = |s: &str| {
            s.split(' ')
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let (b, l, r) = (units(base), units(local), units(remote));
        let mut out = Vec::new();
        for region in merge(&b, &l, &r) {
            match region {
                Region::Take(Side::Local, range) => out.extend(l[range].iter().cloned()),
                Region::Take(Side::Remote, range) => out.extend(r[range].iter().cloned()),
                Region::Conflict { local, remote } => {
                    out.push(format!("<{}|{}>", l[local].join(" "), r[remote].join(" ")))
                }
            }
        }
        out.join(" ")
    }

    #[test]
    fn edits_to_different_units_merge_even_side_by_side() {
        assert_eq!(merged("a b c d", "a B c d", "a b c D"), "a B c D");
        assert_eq!(merged("a b c d", "a B c d", "a b C d"), "a B C d");
        assert_eq!(merged("a b c", "A B c", "a b C"), "A B C");
        // An insertion next to an edit, a deletion next to an edit.
        assert_eq!(merged("a b c", "a x b c", "a B c"), "a x B c");
        assert_eq!(merged("a b c", "a b x c", "a B c"), "a B x c");
        assert_eq!(merged("a b c", "a c", "a b C"), "a C");
        assert_eq!(merged("a b c", "a B y c", "a b C"), "a B y C");
        // One side only, both alike, nothing.
        assert_eq!(merged("a b", "a b", "x a b z"), "x a b z");
        assert_eq!(merged("a b c", "a X c", "a X c"), "a X c");
        assert_eq!(merged("a b", "a b", "a b"), "a b");
        assert_eq!(merged("", "a", ""), "a");
    }

    #[test]
    fn edits_to_the_same_unit_conflict() {
        assert_eq!(merged("a b c", "a L c", "a R c"), "a <L|R> c");
        assert_eq!(merged("a b c", "a c", "a R c"), "a <|R> c");
        assert_eq!(merged("a b", "a x b", "a y b"), "a <x|y> b");
        // An insertion inside a replaced range, and groups that chain.
        assert_eq!(
            merged("a b c d", "a X Y Z d", "a b Q c d"),
            "a <X Y Z|b Q c> d"
        );
        assert_eq!(
            merged("a b c d e", "a L1 L2 L3 e", "a R1 c R3 e"),
            "a <L1|R1> L2 <L3|R3> e"
        );
        assert_eq!(
            merged("a b c d", "a Lb Lc x d", "a b Rc d"),
            "a <Lb Lc x|b Rc> d"
        );
        assert_eq!(merged("", "a", "b"), "<a|b>");
    }
}

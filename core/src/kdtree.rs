//! A static 3D k-d tree over points on the unit sphere, in the style of kdbush: two flat arrays
//! (points and ids, sorted into an implicit tree), 28 bytes per point, no nodes.
//!
//! Queries: axis-aligned box, ball, and best-first nearest neighbours (geokdbush's idea: a
//! priority queue of points and boxes keyed by their Euclidean lower bound), so results come
//! out in exact chord order, which is great-circle order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Leaves hold at most this many points (scanned linearly). 32 rather than 16: a third fewer
/// subtrees opened per nearest query and a little faster boxes, measured at 100k stations.
const NODE_SIZE: usize = 32;

#[derive(Debug, Clone, Default)]
pub(crate) struct KdTree {
    points: Vec<[f64; 3]>,
    ids: Vec<u32>,
}

impl KdTree {
    /// Builds over `points`, the id of each being its position. O(n log n).
    pub fn new(points: Vec<[f64; 3]>) -> Self {
        Self::with_ids(points.into_iter().enumerate().map(|(i, p)| (p, i as u32)).collect())
    }

    /// Builds over `(point, id)` pairs. O(n log n).
    pub fn with_ids(mut items: Vec<([f64; 3], u32)>) -> Self {
        sort(&mut items, 0);
        let (points, ids) = items.into_iter().unzip();
        KdTree { points, ids }
    }

    /// The id (station position) at each tree position.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The points, in tree order.
    pub fn points(&self) -> &[[f64; 3]] {
        &self.points
    }

    /// The point at a tree position.
    pub fn point(&self, j: u32) -> Option<[f64; 3]> {
        self.points.get(j as usize).copied()
    }

    pub fn heap_bytes(&self) -> usize {
        self.points.capacity() * 24 + self.ids.capacity() * 4
    }

    /// Calls `visit(tree position, point)` for every point inside the box `[min, max]` (the
    /// routes' and the object queries' path; [`in_box_into`](Self::in_box_into) is the fast one).
    pub fn in_box(&self, min: [f64; 3], max: [f64; 3], mut visit: impl FnMut(u32, &[f64; 3])) {
        let mut found = Vec::new();
        self.in_box_into(min, max, &mut found);
        for j in found {
            if let Some(p) = self.points.get(j as usize) {
                visit(j, p);
            }
        }
    }

    /// Appends the tree positions of the points inside the box `[min, max]` to `out`. A leaf
    /// is scanned without branching on its points (each position is written, and kept by
    /// advancing past it only when inside): whether a point is inside is a coin toss for the
    /// branch predictor, and the mispredictions cost more than the tests themselves.
    pub fn in_box_into(&self, min: [f64; 3], max: [f64; 3], out: &mut Vec<u32>) {
        let n = self.in_box_at(min, max, out, out.len());
        out.truncate(n);
    }

    /// [`in_box_into`](Self::in_box_into) writing from `out[n]` on and returning the end of
    /// what it wrote, without truncating `out`: a caller that reuses `out` keeps its length, so
    /// its slots are not zeroed again on every query (that fill was 5% of a small box query).
    pub fn in_box_at(&self, min: [f64; 3], max: [f64; 3], out: &mut Vec<u32>, mut n: usize) -> usize {
        Self::box_rec(&self.points, 0, min, max, 0, out, &mut n);
        n
    }

    /// [`in_box_into`](Self::in_box_into) on the subtree `points` (tree positions from `base`),
    /// split on `axis`, writing from `out[*n]` on: `out` is only grown, by doubling, when a
    /// leaf might not fit (growing it per leaf was an out-of-line call per leaf in wasm), and
    /// the caller truncates it to `*n`. Recursive: the depth is at most ~32, and an explicit
    /// stack cost more.
    fn box_rec(
        points: &[[f64; 3]],
        base: usize,
        min: [f64; 3],
        max: [f64; 3],
        axis: usize,
        out: &mut Vec<u32>,
        n: &mut usize,
    ) {
        let ([x0, y0, z0], [x1, y1, z1]) = (min, max);
        let inside =
            |p: &[f64; 3]| (x0 <= p[0]) & (p[0] <= x1) & (y0 <= p[1]) & (p[1] <= y1) & (z0 <= p[2]) & (p[2] <= z1);
        if points.len() <= NODE_SIZE {
            if out.len() < *n + NODE_SIZE + 1 {
                out.resize(2 * (*n + NODE_SIZE + 1), 0);
            }
            let mut k = *n;
            if let Some(slots) = out.get_mut(k..k + points.len()) {
                let mut w = 0;
                for (i, p) in points.iter().enumerate() {
                    if let Some(slot) = slots.get_mut(w) {
                        *slot = (base + i) as u32;
                    }
                    w += usize::from(inside(p));
                }
                k += w;
            }
            *n = k;
            return;
        }
        let m = points.len() / 2;
        let (left, rest) = points.split_at(m);
        let Some((p, right)) = rest.split_first() else { return };
        let next = (axis + 1) % 3;
        let at = p.get(axis).copied().unwrap_or(0.0);
        if min.get(axis).is_some_and(|&v| v <= at) {
            Self::box_rec(left, base, min, max, next, out, n);
        }
        if inside(p) {
            if out.len() <= *n {
                out.resize(2 * (*n + 1), 0);
            }
            if let Some(slot) = out.get_mut(*n) {
                *slot = (base + m) as u32;
                *n += 1;
            }
        }
        if max.get(axis).is_some_and(|&v| v >= at) {
            Self::box_rec(right, base + m + 1, min, max, next, out, n);
        }
    }

    /// Calls `visit(tree position, chord²)` for every point within chord² `r2` of `q`.
    pub fn within(&self, q: [f64; 3], r2: f64, mut visit: impl FnMut(u32, f64)) {
        let r = r2.max(0.0).sqrt();
        let min = [q[0] - r, q[1] - r, q[2] - r];
        let max = [q[0] + r, q[1] + r, q[2] + r];
        self.in_box(min, max, |id, p| {
            let d2 = dist2(&q, p);
            if d2 <= r2 {
                visit(id, d2);
            }
        });
    }

    /// Tree positions in increasing chord² from `q`, lazily.
    pub fn nearest_iter(&self, q: [f64; 3]) -> NearestIter<'_> {
        let mut heap = BinaryHeap::new();
        if !self.points.is_empty() {
            heap.push(Item {
                d2: 0.0,
                kind: Kind::Node { lo: 0, hi: self.points.len(), axis: 0, min: [-1.5; 3], max: [1.5; 3] },
            });
        }
        NearestIter { tree: self, q, heap }
    }
}

/// A subtree waiting in [`KdTree::nearest_bounded`]'s queue, keyed by the squared distance from
/// the query to its box. The box itself is not kept, only the query's distance to it along each
/// axis (48 bytes instead of 64): a child's differs from its parent's on the split axis alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pending {
    d2: f64,
    lo: u32,
    hi: u32,
    axis: u8,
    off: [f64; 3],
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    /// Reversed: the heap pops the nearest box.
    fn cmp(&self, o: &Self) -> Ordering {
        o.d2.total_cmp(&self.d2).then(o.lo.cmp(&self.lo))
    }
}

impl KdTree {
    /// Best-first search with a shrinking bound, as geokdbush does it: subtrees are opened
    /// nearest box first, and every point of an opened subtree with chord² ≤ `bound` goes to
    /// `visit(tree position, chord²)`, which returns the new bound (the caller's k-th best, say;
    /// it may only shrink). Stops when the nearest waiting box is beyond the bound. Points come
    /// in no particular order; every point within the final bound is visited.
    ///
    /// `queue` is scratch space (cleared), passed in so that repeated queries reuse it.
    pub fn nearest_bounded(
        &self,
        q: [f64; 3],
        mut bound: f64,
        queue: &mut Vec<Pending>,
        mut visit: impl FnMut(u32, f64) -> f64,
    ) {
        queue.clear();
        let mut heap = BinaryHeap::from(std::mem::take(queue));
        if !self.points.is_empty() {
            heap.push(Pending { d2: 0.0, lo: 0, hi: self.points.len() as u32, axis: 0, off: [0.0; 3] });
        }
        while let Some(node) = heap.pop() {
            if node.d2 > bound {
                break;
            }
            let (lo, hi) = (node.lo as usize, node.hi as usize);
            if hi - lo <= NODE_SIZE {
                for (i, p) in self.points.get(lo..hi).unwrap_or(&[]).iter().enumerate() {
                    let d2 = dist2(&q, p);
                    if d2 <= bound {
                        bound = visit((lo + i) as u32, d2);
                    }
                }
                continue;
            }
            let m = (lo + hi) / 2;
            let Some(p) = self.points.get(m) else { continue };
            let d2 = dist2(&q, p);
            if d2 <= bound {
                bound = visit(m as u32, d2);
            }
            let axis = usize::from(node.axis);
            let next = ((axis + 1) % 3) as u8;
            let (Some(&split), Some(&qa), Some(&o)) = (p.get(axis), q.get(axis), node.off.get(axis)) else {
                continue;
            };
            // With the parent's box [a, b] on this axis and o = max(a - q, 0, q - b), the left
            // child [a, split] is max(o, q - split) away and the right [split, b] max(o, split - q).
            for (child_lo, child_hi, gap) in [(lo, m, qa - split), (m + 1, hi, split - qa)] {
                if child_hi <= child_lo {
                    continue;
                }
                let mut off = node.off;
                if let Some(a) = off.get_mut(axis) {
                    *a = o.max(gap);
                }
                let d2 = off[0] * off[0] + off[1] * off[1] + off[2] * off[2];
                if d2 <= bound {
                    heap.push(Pending { d2, lo: child_lo as u32, hi: child_hi as u32, axis: next, off });
                }
            }
        }
        *queue = heap.into_vec();
    }
}

#[inline]
fn dist2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

#[inline]
fn box_dist2(q: &[f64; 3], min: &[f64; 3], max: &[f64; 3]) -> f64 {
    let d = |a: usize| (min[a] - q[a]).max(0.0).max(q[a] - max[a]);
    let (x, y, z) = (d(0), d(1), d(2));
    x * x + y * y + z * z
}

fn sort(items: &mut [([f64; 3], u32)], axis: usize) {
    if items.len() <= NODE_SIZE {
        return;
    }
    let m = items.len() / 2;
    // Ties broken by id so the layout does not depend on the input order of equal points.
    items.select_nth_unstable_by(m, |a, b| a.0[axis].total_cmp(&b.0[axis]).then(a.1.cmp(&b.1)));
    let (left, right) = items.split_at_mut(m);
    let next = (axis + 1) % 3;
    sort(left, next);
    if let Some(rest) = right.get_mut(1..) {
        sort(rest, next);
    }
}

#[derive(Debug)]
enum Kind {
    Point(u32),
    Node { lo: usize, hi: usize, axis: usize, min: [f64; 3], max: [f64; 3] },
}

#[derive(Debug)]
struct Item {
    d2: f64,
    kind: Kind,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    /// Reversed: the heap pops the smallest distance; at equal distance points before nodes.
    fn cmp(&self, o: &Self) -> Ordering {
        o.d2.total_cmp(&self.d2).then_with(|| match (&self.kind, &o.kind) {
            (Kind::Point(a), Kind::Point(b)) => b.cmp(a),
            (Kind::Point(_), Kind::Node { .. }) => Ordering::Greater,
            (Kind::Node { .. }, Kind::Point(_)) => Ordering::Less,
            (Kind::Node { lo: a, .. }, Kind::Node { lo: b, .. }) => b.cmp(a),
        })
    }
}

/// See [`KdTree::nearest_iter`]: yields `(tree position, chord²)`.
#[derive(Debug)]
pub(crate) struct NearestIter<'a> {
    tree: &'a KdTree,
    q: [f64; 3],
    heap: BinaryHeap<Item>,
}

impl Iterator for NearestIter<'_> {
    type Item = (u32, f64);

    fn next(&mut self) -> Option<(u32, f64)> {
        let t = self.tree;
        while let Some(item) = self.heap.pop() {
            match item.kind {
                Kind::Point(i) => return Some((i, item.d2)),
                Kind::Node { lo, hi, axis, min, max } => {
                    if hi - lo <= NODE_SIZE {
                        for i in lo..hi {
                            if let Some(p) = t.points.get(i) {
                                self.heap.push(Item { d2: dist2(&self.q, p), kind: Kind::Point(i as u32) });
                            }
                        }
                        continue;
                    }
                    let m = (lo + hi) / 2;
                    let Some(p) = t.points.get(m) else { continue };
                    self.heap.push(Item { d2: dist2(&self.q, p), kind: Kind::Point(m as u32) });
                    let next = (axis + 1) % 3;
                    let mut left_max = max;
                    left_max[axis] = p[axis];
                    let mut right_min = min;
                    right_min[axis] = p[axis];
                    if m > lo {
                        self.heap.push(Item {
                            d2: box_dist2(&self.q, &min, &left_max),
                            kind: Kind::Node { lo, hi: m, axis: next, min, max: left_max },
                        });
                    }
                    if hi > m + 1 {
                        self.heap.push(Item {
                            d2: box_dist2(&self.q, &right_min, &max),
                            kind: Kind::Node { lo: m + 1, hi, axis: next, min: right_min, max },
                        });
                    }
                }
            }
        }
        None
    }
}

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
    /// The split axis of each inner node, in heap order (the root is 0, node `k`'s children
    /// are `2k + 1` and `2k + 2`): the axis along which the node's points spread most, not the
    /// next in turn. Stations lie on a surface, so locally two of x, y, z measure the same
    /// north–south direction (at 52° N, x and z); cycling through the axes cut that direction
    /// twice as often as east–west and left long thin cells that a square box crosses more
    /// of. At most n/8 bytes (inner nodes are at most 4n/NODE_SIZE heap slots).
    axes: Vec<u8>,
}

impl KdTree {
    /// Builds over `points`, the id of each being its position. O(n log n).
    pub fn new(points: Vec<[f64; 3]>) -> Self {
        Self::with_ids(points.into_iter().enumerate().map(|(i, p)| (p, i as u32)).collect())
    }

    /// Builds over `(point, id)` pairs. O(n log n).
    pub fn with_ids(mut items: Vec<([f64; 3], u32)>) -> Self {
        let mut axes = Vec::new();
        sort(&mut items, 0, &mut axes);
        let (points, ids) = items.into_iter().unzip();
        KdTree { points, ids, axes }
    }

    /// The split axis of inner node `node` (heap order).
    #[inline(always)]
    fn axis(&self, node: usize) -> usize {
        self.axes.get(node).map_or(0, |&a| usize::from(a))
    }

    /// The id (station position) at each tree position.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The point at a tree position.
    pub fn point(&self, j: u32) -> Option<[f64; 3]> {
        self.points.get(j as usize).copied()
    }

    pub fn heap_bytes(&self) -> usize {
        self.points.capacity() * 24 + self.ids.capacity() * 4 + self.axes.capacity()
    }

    /// The tree positions of the points that may lie in a patch of sphere (see [`Wedge`]),
    /// written from `out[n]` on; returns the end, without truncating `out`: a caller that
    /// reuses `out` keeps its length, so its slots are not zeroed again on every query (that
    /// fill was 5% of a small box query). Each position is flagged with [`UNSURE`] when the
    /// point is within the wedge's margin of an edge and needs an exact test. Subtrees are
    /// pruned with the box `[min, max]` around the patch, but leaf points are tested against
    /// the wedge itself, so that the caller need not read them again (settling a box query's
    /// candidates in a second pass was a third of a small query).
    pub fn in_wedge_at(&self, min: [f64; 3], max: [f64; 3], wedge: &Wedge, out: &mut Vec<u32>, mut n: usize) -> usize {
        Self::wedge_rec(&self.points, &self.axes, 0, min, max, wedge, 0, out, &mut n);
        n
    }

    /// [`in_wedge_at`](Self::in_wedge_at) on the subtree `points` (tree positions from `base`),
    /// inner node `node`, writing from `out[*n]` on: `out` is only grown, by doubling, when a
    /// leaf might not fit (growing it per leaf was an out-of-line call per leaf in wasm), and
    /// the caller truncates it to `*n`. A leaf is scanned without branching on its points (each
    /// position is written, and kept by advancing past it only when inside): whether a point is
    /// inside is a coin toss for the branch predictor, and the mispredictions cost more than
    /// the tests themselves. Recursive: the depth is at most ~32, and an explicit stack cost
    /// more.
    #[allow(clippy::too_many_arguments)] // the recursion's state, kept in registers
    fn wedge_rec(
        points: &[[f64; 3]],
        axes: &[u8],
        base: usize,
        min: [f64; 3],
        max: [f64; 3],
        wedge: &Wedge,
        node: usize,
        out: &mut Vec<u32>,
        n: &mut usize,
    ) {
        if points.len() <= NODE_SIZE {
            if out.len() < *n + NODE_SIZE + 1 {
                out.resize(2 * (*n + NODE_SIZE + 1), 0);
            }
            let w = *wedge;
            let mut k = *n;
            if let Some(slots) = out.get_mut(k..k + points.len()) {
                let mut c = 0;
                for (i, p) in points.iter().enumerate() {
                    let (sure_in, sure_out) = w.sure(p);
                    if let Some(slot) = slots.get_mut(c) {
                        *slot = (base + i) as u32 | if sure_in { 0 } else { UNSURE };
                    }
                    c += usize::from(!sure_out);
                }
                k += c;
            }
            *n = k;
            return;
        }
        let m = points.len() / 2;
        let (left, rest) = points.split_at(m);
        let Some((p, right)) = rest.split_first() else { return };
        let axis = axes.get(node).map_or(0, |&a| usize::from(a));
        let at = p.get(axis).copied().unwrap_or(0.0);
        if min.get(axis).is_some_and(|&v| v <= at) {
            Self::wedge_rec(left, axes, base, min, max, wedge, 2 * node + 1, out, n);
        }
        let (sure_in, sure_out) = wedge.sure(p);
        if !sure_out {
            if out.len() <= *n {
                out.resize(2 * (*n + 1), 0);
            }
            if let Some(slot) = out.get_mut(*n) {
                *slot = (base + m) as u32 | if sure_in { 0 } else { UNSURE };
                *n += 1;
            }
        }
        if max.get(axis).is_some_and(|&v| v >= at) {
            Self::wedge_rec(right, axes, base + m + 1, min, max, wedge, 2 * node + 2, out, n);
        }
    }

    /// Calls `visit(tree position, chord²)` for every point within chord² `r2` of `q` (the
    /// routes' query): the box descent around the ball with [`Wedge::NOWHERE_SURE`], then the
    /// distance.
    pub fn within(&self, q: [f64; 3], r2: f64, mut visit: impl FnMut(u32, f64)) {
        let r = r2.max(0.0).sqrt();
        let min = [q[0] - r, q[1] - r, q[2] - r];
        let max = [q[0] + r, q[1] + r, q[2] + r];
        let mut found = Vec::new();
        let n = self.in_wedge_at(min, max, &Wedge::NOWHERE_SURE, &mut found, 0);
        for &flagged in found.get(..n).unwrap_or_default() {
            let j = flagged & !UNSURE;
            if let Some(p) = self.points.get(j as usize) {
                let d2 = dist2(&q, p);
                if d2 <= r2 {
                    visit(j, d2);
                }
            }
        }
    }

    /// Tree positions in increasing chord² from `q`, lazily.
    pub fn nearest_iter(&self, q: [f64; 3]) -> NearestIter<'_> {
        let mut heap = BinaryHeap::new();
        if !self.points.is_empty() {
            heap.push(Item {
                d2: 0.0,
                kind: Kind::Node { lo: 0, hi: self.points.len(), node: 0, min: [-1.5; 3], max: [1.5; 3] },
            });
        }
        NearestIter { tree: self, q, heap }
    }
}

/// The flag [`KdTree::in_wedge_at`] sets on a tree position whose point is near the wedge's
/// edge (tree positions are below 2³¹).
pub(crate) const UNSURE: u32 = 1 << 31;

/// A patch of the unit sphere between two latitudes and two longitudes: `z` between the sines
/// of the latitudes, and the point east of the west meridian's plane and (or, for more than
/// 180° of longitude) west of the east one's. Bounds are kept both moved in and moved out by a
/// margin far above rounding, so that [`sure`](Self::sure) can say "surely inside" and "surely
/// outside" without branches; what is neither is left to an exact test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wedge {
    /// Surely inside strictly between these ...
    pub z_in: (f64, f64),
    /// ... surely outside below the first or above the second.
    pub z_out: (f64, f64),
    /// (cos, sin) of the west and east longitudes (for more than 180°, the east and west
    /// ones of the complement, negated: see `reflex`).
    pub west: (f64, f64),
    pub east: (f64, f64),
    /// More than 180° of longitude: the half-planes are those of the complement (east round
    /// to west, under 180°), and a point is surely inside the range when it is surely outside
    /// the complement, and the other way round.
    pub reflex: bool,
}

/// How far inside (or outside) an edge a point must be for [`Wedge::sure`] to be sure: far
/// above the rounding of a unit vector's coordinates (~1e-16) and far below any distance that
/// matters (1e-12 of the Earth's radius is 6 µm).
pub(crate) const MARGIN: f64 = 1e-12;

impl Wedge {
    /// Sure of nothing: every point of the subtrees the box opens comes out, flagged. For a
    /// caller that tests the points itself (the routes' ball).
    pub const NOWHERE_SURE: Wedge = Wedge {
        z_in: (f64::INFINITY, f64::NEG_INFINITY),
        z_out: (f64::NEG_INFINITY, f64::INFINITY),
        west: (0.0, 0.0),
        east: (0.0, 0.0),
        reflex: false,
    };

    /// (surely inside, surely outside); neither within the margin of an edge, or near the
    /// poles, where `x` and `y` vanish.
    #[inline(always)]
    pub fn sure(&self, p: &[f64; 3]) -> (bool, bool) {
        let z = p[2];
        // cross(a, b) > 0: b lies counter-clockwise (east) of a, within 180°.
        let after_west = self.west.0 * p[1] - self.west.1 * p[0];
        let before_east = p[0] * self.east.1 - p[1] * self.east.0;
        let m = MARGIN;
        let lon_in = (after_west > m) & (before_east > m);
        let lon_out = (after_west < -m) | (before_east < -m);
        let (lon_in, lon_out) = if self.reflex { (lon_out, lon_in) } else { (lon_in, lon_out) };
        ((z > self.z_in.0) & (z < self.z_in.1) & lon_in, (z < self.z_out.0) | (z > self.z_out.1) | lon_out)
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
    /// The subtree's inner node (heap order).
    node: u32,
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
            heap.push(Pending { d2: 0.0, lo: 0, hi: self.points.len() as u32, node: 0, off: [0.0; 3] });
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
            let axis = self.axis(node.node as usize);
            let (Some(&split), Some(&qa), Some(&o)) = (p.get(axis), q.get(axis), node.off.get(axis)) else {
                continue;
            };
            // With the parent's box [a, b] on this axis and o = max(a - q, 0, q - b), the left
            // child [a, split] is max(o, q - split) away and the right [split, b] max(o, split - q).
            for (child_lo, child_hi, gap, child) in
                [(lo, m, qa - split, 2 * node.node + 1), (m + 1, hi, split - qa, 2 * node.node + 2)]
            {
                if child_hi <= child_lo {
                    continue;
                }
                let mut off = node.off;
                if let Some(a) = off.get_mut(axis) {
                    *a = o.max(gap);
                }
                let d2 = off[0] * off[0] + off[1] * off[1] + off[2] * off[2];
                if d2 <= bound {
                    heap.push(Pending { d2, lo: child_lo as u32, hi: child_hi as u32, node: child, off });
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

fn sort(items: &mut [([f64; 3], u32)], node: usize, axes: &mut Vec<u8>) {
    if items.len() <= NODE_SIZE {
        return;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
    for (p, _) in items.iter() {
        for ((v, l), h) in p.iter().zip(&mut lo).zip(&mut hi) {
            // Comparisons, not `min`/`max` (their NaN rules are extra code in wasm).
            if *v < *l {
                *l = *v;
            }
            if *v > *h {
                *h = *v;
            }
        }
    }
    let spread = |a: usize| hi.get(a).zip(lo.get(a)).map_or(0.0, |(h, l)| h - l);
    // Ties (and NaN, which no unit vector has) keep the lower axis.
    let axis = if spread(1) > spread(0) { 1 } else { 0 };
    let axis = if spread(2) > spread(axis) { 2 } else { axis };
    if axes.len() <= node {
        axes.resize(node + 1, 0);
    }
    if let Some(slot) = axes.get_mut(node) {
        *slot = axis as u8;
    }
    let m = items.len() / 2;
    // Ties broken by id so the layout does not depend on the input order of equal points.
    items.select_nth_unstable_by(m, |a, b| a.0[axis].total_cmp(&b.0[axis]).then(a.1.cmp(&b.1)));
    let (left, right) = items.split_at_mut(m);
    sort(left, 2 * node + 1, axes);
    if let Some(rest) = right.get_mut(1..) {
        sort(rest, 2 * node + 2, axes);
    }
}

#[derive(Debug)]
enum Kind {
    Point(u32),
    Node { lo: usize, hi: usize, node: usize, min: [f64; 3], max: [f64; 3] },
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
                Kind::Node { lo, hi, node, min, max } => {
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
                    let axis = t.axis(node);
                    let mut left_max = max;
                    left_max[axis] = p[axis];
                    let mut right_min = min;
                    right_min[axis] = p[axis];
                    if m > lo {
                        self.heap.push(Item {
                            d2: box_dist2(&self.q, &min, &left_max),
                            kind: Kind::Node { lo, hi: m, node: 2 * node + 1, min, max: left_max },
                        });
                    }
                    if hi > m + 1 {
                        self.heap.push(Item {
                            d2: box_dist2(&self.q, &right_min, &max),
                            kind: Kind::Node { lo: m + 1, hi, node: 2 * node + 2, min: right_min, max },
                        });
                    }
                }
            }
        }
        None
    }
}

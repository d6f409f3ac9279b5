//! A filtered view of the index: the stations that pass a filter's static part (everything but
//! live status), in a k-d tree of their own.
//!
//! A driver sets a filter once and then asks again and again as the map moves. With a selective
//! filter (CCS ≥ 50 kW passes about one station in five) the nearest query on the full tree
//! visits five stations for every one it keeps, and each visit reads the station's filter
//! columns: at 100k stations and more that is the query's cost (cache misses, not arithmetic).
//! Over the view, the same query is an unfiltered search of a tree a fifth the size, with no
//! column read at all unless the filter also tests live status.
//!
//! Statuses change all the time, so the view holds the stations that pass the filter *without*
//! its status tests ([`Filter::without_status`]); those tests run during the query, on the
//! view's stations only. A status update therefore never invalidates a view.

use crate::filter::{Filter, Live, Prepared};
use crate::index::{StationIndex, BOUNDED_K};
use crate::kdtree::KdTree;

/// The stations of a [`StationIndex`] passing a filter's static part, in their own k-d tree
/// (28 bytes per station in the view). Built by [`StationIndex::filtered`], queried by
/// [`StationIndex::nearest_ids_in`]; valid for the index it was built from.
#[derive(Debug, Clone)]
pub struct FilteredIndex {
    /// The filter's static part ([`Filter::without_status`]).
    filter: Filter,
    /// Points of the matching stations; ids are their station positions (what a query returns,
    /// so the answer needs no lookup in the index's tree).
    tree: KdTree,
    /// Stations in the index it was built from (a guard against using it with another).
    of_len: usize,
}

impl FilteredIndex {
    /// Stations in the view.
    pub fn len(&self) -> usize {
        self.tree.ids().len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.ids().is_empty()
    }

    /// Can it answer queries with `filter` (same static part)?
    pub fn serves(&self, filter: &Filter) -> bool {
        self.filter.same_without_status(filter)
    }

    /// Heap bytes of the view (not counted in [`StationIndex::flat_bytes`]: a cache, dropped and
    /// rebuilt at will).
    pub fn heap_bytes(&self) -> usize {
        self.tree.heap_bytes()
    }
}

impl StationIndex {
    /// The stations passing `filter`'s static part, as a [`FilteredIndex`]. O(n) to evaluate the
    /// filter (most stations settled by their summary) plus O(m log m) for the m that pass.
    ///
    /// ```
    /// # use chargefinder::*;
    /// let s = |id: &str, lat, plug, kw| Station { id: id.into(), name: id.into(), lat, lon: 4.3, operator: None,
    ///     evses: vec![EvseSummary { uid: "1".into(), plugs: PlugSet::EMPTY.with(plug), max_power_kw: kw, status: EvseStatus::Available, caps: Default::default(), price: None }], extra: Default::default() };
    /// let index = StationIndex::new(vec![s("slow", 52.0, PlugFamily::Type2Socket, 11.0), s("fast", 52.1, PlugFamily::Ccs2, 150.0)]);
    /// let fast = Filter { min_power_kw: 50.0, ..Filter::default() };
    /// let view = index.filtered(&fast);
    /// assert_eq!(view.len(), 1);
    /// let mut ids = Vec::new();
    /// index.nearest_ids_in(&view, 52.0, 4.3, 10, 50_000.0, &fast, None, &mut ids);
    /// assert_eq!(ids, [1]);
    /// ```
    pub fn filtered(&self, filter: &Filter) -> FilteredIndex {
        let filter = filter.without_status();
        let mut p = Prepared::new(&filter, self.columns(), None);
        let tree = self.tree();
        let items: Vec<([f64; 3], u32)> = (0..self.len() as u32)
            .filter(|&j| p.matches(self.columns(), j))
            .filter_map(|j| Some((tree.point(j)?, self.station_at(j)?)))
            .collect();
        let tree = KdTree::with_ids(items);
        FilteredIndex { filter, tree, of_len: self.len() }
    }

    /// [`nearest_ids`](Self::nearest_ids) over a view built by [`filtered`](Self::filtered):
    /// the same answer, in the same order. A view that does not [serve](FilteredIndex::serves)
    /// `filter` (or `k` above 256) falls back to the full index.
    ///
    /// # Runtime
    /// An unfiltered best-first search of the view's tree (a filter that tests live status reads
    /// the statuses of the view's stations it meets, and only those).
    #[allow(clippy::too_many_arguments)]
    pub fn nearest_ids_in(
        &self,
        view: &FilteredIndex,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        filter: &Filter,
        live: Option<Live<'_>>,
        out: &mut Vec<u32>,
    ) {
        if k > BOUNDED_K || view.of_len != self.len() || !view.serves(filter) {
            return self.nearest_ids(lat, lon, k, max_distance_m, filter, live, out);
        }
        out.clear();
        if k == 0 || !lat.is_finite() || !lon.is_finite() || max_distance_m.is_nan() {
            return;
        }
        let mut best = Vec::with_capacity(k + 8);
        // Every station of the view passes the static part: only status tests are left.
        let mut p = filter.tests_status().then(|| Prepared::new(filter, self.columns(), live));
        self.nearest_candidates(&view.tree, true, lat, lon, k, max_distance_m, p.as_mut(), &mut best);
        self.order_candidates(lat, lon, k, &best, true, out);
    }
}

/// When to use a [`FilteredIndex`]: the cache a long-lived caller (the JS binding, a server
/// session) keeps for its nearest queries. One filter at a time: the view is built on the
/// *second* query with the same static part (a filter used once costs nothing extra), and only
/// when at most half the stations pass (otherwise the full index rejects few stations anyway
/// and the view would cost up to 28 bytes per station for little).
#[derive(Debug, Clone, Default)]
pub struct ViewCache {
    /// The static part of the last filter seen.
    filter: Option<Filter>,
    /// The view for it, once built and worth keeping.
    view: Option<FilteredIndex>,
    /// The view was considered for `filter` (built, or found not selective enough).
    tried: bool,
}

impl ViewCache {
    /// [`StationIndex::nearest_ids`], answered from the cached view when there is one for
    /// `filter` (same answer, same order).
    #[allow(clippy::too_many_arguments)]
    pub fn nearest_ids(
        &mut self,
        index: &StationIndex,
        lat: f64,
        lon: f64,
        k: usize,
        max_distance_m: f64,
        filter: &Filter,
        live: Option<Live<'_>>,
        out: &mut Vec<u32>,
    ) {
        match &self.filter {
            Some(f) if f.same_without_status(filter) => {
                if !self.tried {
                    self.tried = true;
                    let view = index.filtered(filter);
                    self.view = (view.len() * 2 <= index.len()).then_some(view);
                }
            }
            _ => *self = ViewCache { filter: Some(filter.without_status()), view: None, tried: false },
        }
        match &self.view {
            Some(view) => index.nearest_ids_in(view, lat, lon, k, max_distance_m, filter, live, out),
            None => index.nearest_ids(lat, lon, k, max_distance_m, filter, live, out),
        }
    }

    /// Heap bytes held by the cached view (0 without one).
    pub fn heap_bytes(&self) -> usize {
        self.view.as_ref().map_or(0, FilteredIndex::heap_bytes)
    }
}

//! Distances on the earth's surface, for "near me" lookups (server and offline client alike),
//! and the order of a day's visits as a route.

/// Great-circle distance in kilometres between two WGS84 positions (haversine formula).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0088 * 2.0 * a.sqrt().asin()
}

/// A WGS84 position: latitude, longitude.
pub type Position = (f64, f64);

fn km(a: Position, b: Position) -> f64 {
    haversine_km(a.0, a.1, b.0, b.1)
}

/// The length in kilometres of the way from `start` along `stops` in the given order.
pub fn route_km(start: Position, stops: &[Position]) -> f64 {
    let mut from = start;
    let mut total = 0.0;
    for &stop in stops {
        total += km(from, stop);
        from = stop;
    }
    total
}

/// The order to visit `stops` in from `start`, as indices into `stops`: the nearest stop
/// next each time, then improved by reversing any stretch that shortens the way (2-opt)
/// until none does. The way ends at the last visit (no return to the start). A day holds a
/// handful of visits, so the few thousand distance computations this costs are nothing.
pub fn route(start: Position, stops: &[Position]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(stops.len());
    let mut left: Vec<usize> = (0..stops.len()).collect();
    let mut from = start;
    while !left.is_empty() {
        let (at, _) = left
            .iter()
            .enumerate()
            .map(|(at, &i)| (at, km(from, stops[i])))
            .fold(
                (0, f64::INFINITY),
                |best, d| if d.1 < best.1 { d } else { best },
            );
        let next = left.remove(at);
        order.push(next);
        from = stops[next];
    }
    // 2-opt on an open path: reversing order[i..=j] replaces the edges into i and out of j.
    let point = |order: &[usize], k: Option<usize>| k.map_or(start, |k| stops[order[k]]);
    let mut improved = true;
    while improved {
        improved = false;
        for i in 0..order.len() {
            for j in i + 1..order.len() {
                let before = point(&order, i.checked_sub(1));
                let (first, last) = (stops[order[i]], stops[order[j]]);
                let after = order.get(j + 1).map(|&k| stops[k]);
                let now = km(before, first) + after.map_or(0.0, |a| km(last, a));
                let then = km(before, last) + after.map_or(0.0, |a| km(first, a));
                if then + 1e-9 < now {
                    order[i..=j].reverse();
                    improved = true;
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_route_along_a_road_visits_in_passing_order() {
        // Gent, then Aalter, Brugge, Oostende westwards; the list is shuffled.
        let stops = [
            (51.23, 2.92),
            (51.0543, 3.7174),
            (51.2093, 3.2247),
            (51.08, 3.45),
        ];
        let order = route((51.05, 3.75), &stops);
        assert_eq!(order, vec![1, 3, 2, 0]);
        assert_eq!(route((51.0, 4.0), &[]), Vec::<usize>::new());
    }

    proptest! {
        /// Every stop is visited once; the way is never longer than nearest-stop-next, and
        /// no reversal of a stretch of it would shorten it.
        #[test]
        fn a_route_visits_each_stop_once_and_no_reversal_shortens_it(
            start in (50.7f64..51.5, 2.6f64..5.9),
            stops in proptest::collection::vec((50.7f64..51.5, 2.6f64..5.9), 0..9),
        ) {
            let order = route(start, &stops);
            let mut seen = order.clone();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..stops.len()).collect::<Vec<_>>());
            let chosen: Vec<Position> = order.iter().map(|&i| stops[i]).collect();
            let length = route_km(start, &chosen);
            prop_assert!(length <= greedy_km(start, &stops) + 1e-6);
            for i in 0..chosen.len() {
                for j in i + 1..chosen.len() {
                    let mut other = chosen.clone();
                    other[i..=j].reverse();
                    prop_assert!(route_km(start, &other) + 1e-6 >= length);
                }
            }
        }
    }

    fn greedy_km(start: Position, stops: &[Position]) -> f64 {
        let mut left = stops.to_vec();
        let mut from = start;
        let mut total = 0.0;
        while !left.is_empty() {
            let (at, d) = left
                .iter()
                .enumerate()
                .map(|(at, &s)| (at, km(from, s)))
                .fold((0, f64::INFINITY), |b, d| if d.1 < b.1 { d } else { b });
            total += d;
            from = left.remove(at);
        }
        total
    }

    #[test]
    fn gent_to_brugge_is_about_38_km_and_symmetric() {
        let d = haversine_km(51.0543, 3.7174, 51.2093, 3.2247);
        assert!((37.0..40.0).contains(&d), "{d}");
        assert!((d - haversine_km(51.2093, 3.2247, 51.0543, 3.7174)).abs() < 1e-9);
        assert_eq!(haversine_km(51.0, 4.0, 51.0, 4.0), 0.0);
    }
}

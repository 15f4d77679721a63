//! Distances on the earth's surface, for "near me" lookups (server and offline client alike).

/// Great-circle distance in kilometres between two WGS84 positions (haversine formula).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0088 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gent_to_brugge_is_about_38_km_and_symmetric() {
        let d = haversine_km(51.0543, 3.7174, 51.2093, 3.2247);
        assert!((37.0..40.0).contains(&d), "{d}");
        assert!((d - haversine_km(51.2093, 3.2247, 51.0543, 3.7174)).abs() < 1e-9);
        assert_eq!(haversine_km(51.0, 4.0, 51.0, 4.0), 0.0);
    }
}

//! The sector's supervision norm: how many target-group workers one begeleider may lead,
//! by the support need of the team.
//!
//! The norm is not in the decree: it is the sector federation's guidance, about one
//! begeleider per 13, 10 or 7 workers for a low, medium or high support need. The figures
//! are settings ([`SupervisionNorm`]); check 3 names the shortfall and the risk planning
//! weighs it.

use serde::{Deserialize, Serialize};

/// The support need of an enclave's team (ondersteuningsnood), as the enclave records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportNeed {
    Low,
    Medium,
    High,
}

impl SupportNeed {
    /// Every need, from the lowest to the highest.
    pub const ALL: [Self; 3] = [Self::Low, Self::Medium, Self::High];

    /// As stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }

    /// A cell of the department's register file: `laag`, `midden` (or `gemiddeld`), `hoog`,
    /// or the English `low`, `medium`, `high`, in any case and with an adjective's ending
    /// (`lage`, `gemiddelde`, `hoge`).
    pub fn from_cell(cell: &str) -> Option<Self> {
        match cell.trim().to_lowercase().as_str() {
            "laag" | "lage" | "low" => Some(Self::Low),
            "midden" | "middel" | "gemiddeld" | "gemiddelde" | "medium" => Some(Self::Medium),
            "hoog" | "hoge" | "high" => Some(Self::High),
            _ => None,
        }
    }

    /// The cell of the register's export, as [`SupportNeed::from_cell`] reads it back.
    pub fn cell(self) -> &'static str {
        match self {
            Self::Low => "laag",
            Self::Medium => "midden",
            Self::High => "hoog",
        }
    }

    /// Dutch and English adjectives, as in "een lage ondersteuningsnood" / "a low support need".
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Low => ("lage", "low"),
            Self::Medium => ("gemiddelde", "medium"),
            Self::High => ("hoge", "high"),
        }
    }
}

/// The most workers one begeleider may lead, per support need.
///
/// The default follows the sector federation's guidance: about one begeleider per 13, 10 or
/// 7 workers for a low, medium or high support need. A figure of 0 is read as 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionNorm {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
}

impl Default for SupervisionNorm {
    /// 13, 10 and 7 workers per begeleider (the sector federation's guidance).
    fn default() -> Self {
        Self {
            low: 13,
            medium: 10,
            high: 7,
        }
    }
}

impl SupervisionNorm {
    /// The most workers per begeleider for `need` (at least 1).
    pub fn workers_per_supervisor(&self, need: SupportNeed) -> u32 {
        let n = match need {
            SupportNeed::Low => self.low,
            SupportNeed::Medium => self.medium,
            SupportNeed::High => self.high,
        };
        n.max(1)
    }

    /// The most lenient figure (the most workers per begeleider): what a team of unknown
    /// need is held to.
    pub fn most_lenient(&self) -> u32 {
        SupportNeed::ALL
            .into_iter()
            .map(|need| self.workers_per_supervisor(need))
            .max()
            .unwrap_or(1)
    }

    /// The workers per begeleider a team with `need` may have; an unknown need (`None`) is
    /// held to the most lenient figure.
    pub fn for_team(&self, need: Option<SupportNeed>) -> u32 {
        need.map_or_else(
            || self.most_lenient(),
            |need| self.workers_per_supervisor(need),
        )
    }
}

/// A team compared with the norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NormOutcome {
    /// The norm applied: at most this many workers per begeleider.
    pub workers_per_supervisor: u32,
    /// The begeleiders the norm asks for: workers ÷ norm, rounded up.
    pub supervisors_needed: u32,
    /// How many more begeleiders the norm asks for than there are (0 when met).
    pub shortfall: u32,
}

impl NormOutcome {
    /// Whether the team meets the norm.
    pub fn is_met(&self) -> bool {
        self.shortfall == 0
    }
}

/// Compares `workers` led by `supervisors` with the norm for `need`; an unknown need
/// (`None`) is held to the most lenient figure.
///
/// The shortfall is ⌈workers ÷ norm⌉ − supervisors, at least 0: 13 workers with 1
/// begeleider meet a norm of 13, 14 do not. Workers without any begeleider are a shortfall;
/// no workers need no begeleider.
pub fn compare_with_norm(
    workers: u32,
    supervisors: u32,
    need: Option<SupportNeed>,
    norm: &SupervisionNorm,
) -> NormOutcome {
    let per = norm.for_team(need);
    let needed = workers.div_ceil(per);
    NormOutcome {
        workers_per_supervisor: per,
        supervisors_needed: needed,
        shortfall: needed.saturating_sub(supervisors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SupportNeed::*;
    use proptest::prelude::*;

    #[test]
    fn stored_form_round_trips() {
        for need in SupportNeed::ALL {
            assert_eq!(SupportNeed::parse(need.as_str()), Some(need));
            assert_eq!(
                serde_json::to_string(&need).unwrap(),
                format!("\"{}\"", need.as_str())
            );
        }
        assert_eq!(SupportNeed::parse("Low"), None);
    }

    #[test]
    fn a_register_cell_names_a_need_in_dutch_or_english() {
        for (cell, need) in [
            ("laag", Low),
            (" Lage ", Low),
            ("LOW", Low),
            ("midden", Medium),
            ("Gemiddeld", Medium),
            ("medium", Medium),
            ("hoog", High),
            ("Hoge", High),
            ("high", High),
        ] {
            assert_eq!(SupportNeed::from_cell(cell), Some(need), "{cell}");
        }
        for cell in ["", "zeer hoog", "3", "l"] {
            assert_eq!(SupportNeed::from_cell(cell), None, "{cell}");
        }
        for need in SupportNeed::ALL {
            assert_eq!(
                SupportNeed::from_cell(need.cell()),
                Some(need),
                "the export's cell"
            );
        }
    }

    #[test]
    fn default_norm_is_the_federations() {
        let norm = SupervisionNorm::default();
        assert_eq!(norm.workers_per_supervisor(Low), 13);
        assert_eq!(norm.workers_per_supervisor(Medium), 10);
        assert_eq!(norm.workers_per_supervisor(High), 7);
        assert_eq!(norm.most_lenient(), 13);
    }

    #[test]
    fn boundaries() {
        let norm = SupervisionNorm::default();
        // (workers, supervisors, need, needed, shortfall)
        let table = [
            (13, 1, Some(Low), 1, 0),
            (14, 1, Some(Low), 2, 1),
            (26, 2, Some(Low), 2, 0),
            (27, 2, Some(Low), 3, 1),
            (10, 1, Some(Medium), 1, 0),
            (11, 1, Some(Medium), 2, 1),
            (7, 1, Some(High), 1, 0),
            (8, 1, Some(High), 2, 1),
            (40, 2, Some(High), 6, 4),
            // Unknown need: the most lenient norm.
            (13, 1, None, 1, 0),
            (14, 1, None, 2, 1),
            // Workers without a begeleider; nobody at all; more begeleiders than needed.
            (1, 0, Some(Low), 1, 1),
            (0, 0, Some(High), 0, 0),
            (3, 2, Some(High), 1, 0),
        ];
        for (workers, supervisors, need, needed, shortfall) in table {
            let outcome = compare_with_norm(workers, supervisors, need, &norm);
            let case = format!("{workers} workers, {supervisors} supervisors, {need:?}");
            assert_eq!(outcome.supervisors_needed, needed, "{case}");
            assert_eq!(outcome.shortfall, shortfall, "{case}");
            assert_eq!(outcome.is_met(), shortfall == 0, "{case}");
        }
    }

    #[test]
    fn a_zero_figure_is_read_as_one() {
        let norm = SupervisionNorm {
            low: 0,
            medium: 0,
            high: 0,
        };
        let outcome = compare_with_norm(3, 1, Some(High), &norm);
        assert_eq!((outcome.workers_per_supervisor, outcome.shortfall), (1, 2));
        assert_eq!(norm.most_lenient(), 1);
    }

    fn need() -> impl Strategy<Value = Option<SupportNeed>> {
        proptest::option::of(prop::sample::select(SupportNeed::ALL.to_vec()))
    }

    fn norm() -> impl Strategy<Value = SupervisionNorm> {
        (0..30u32, 0..30u32, 0..30u32).prop_map(|(low, medium, high)| SupervisionNorm {
            low,
            medium,
            high,
        })
    }

    proptest! {
        #[test]
        fn more_supervisors_never_raise_the_shortfall(
            workers in 0..500u32, supervisors in 0..60u32, need in need(), norm in norm(),
        ) {
            let before = compare_with_norm(workers, supervisors, need, &norm);
            let after = compare_with_norm(workers, supervisors + 1, need, &norm);
            prop_assert!(after.shortfall <= before.shortfall);
        }

        #[test]
        fn more_workers_never_lower_the_shortfall(
            workers in 0..500u32, supervisors in 0..60u32, need in need(), norm in norm(),
        ) {
            let before = compare_with_norm(workers, supervisors, need, &norm);
            let after = compare_with_norm(workers + 1, supervisors, need, &norm);
            prop_assert!(after.shortfall >= before.shortfall);
        }

        #[test]
        fn met_iff_within_the_ratio(
            workers in 0..500u32, supervisors in 0..60u32, need in need(), norm in norm(),
        ) {
            let outcome = compare_with_norm(workers, supervisors, need, &norm);
            let per = outcome.workers_per_supervisor;
            prop_assert_eq!(outcome.is_met(), workers <= per * supervisors);
        }
    }
}

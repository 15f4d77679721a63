//! Where the login page may send the user afterwards (`/login?next=`): only a path on this
//! origin, so a crafted link cannot turn the login into a jump to another site.

/// `next` when it is a path on this origin, else `None` (the caller goes home).
///
/// A path starts with exactly one `/`; `//host` and `/\host` are other sites to a browser
/// (it reads a backslash as a slash), so any backslash, an encoded one (`%5C`) or an encoded
/// slash at the start (`/%2F`) is refused, as are control characters and spaces (browsers
/// drop tabs and line breaks, which turns `/\t/host` into `//host`). A scheme (`https:`,
/// `javascript:`) never starts with `/`.
pub fn same_origin_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let lower = next.to_ascii_lowercase();
    let refused = rest.starts_with('/')
        || next.contains('\\')
        || lower.contains("%5c")
        || lower.starts_with("/%2f")
        || next.chars().any(|c| c.is_control() || c.is_whitespace());
    (!refused).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_origin_pass() {
        for ok in [
            "/",
            "/review?x=1",
            "/enclaves/abc",
            "/reports/contracts?year=2026#top",
        ] {
            assert_eq!(same_origin_path(ok), Some(ok));
        }
    }

    #[test]
    fn anything_that_leaves_the_origin_is_refused() {
        for bad in [
            "/\\example.com",
            "//evil",
            "/%5Cevil",
            "/%5cevil",
            "/%2F%2Fevil",
            "javascript:alert(1)",
            "https://x",
            "\\\\evil",
            "/\t/evil",
            "/\n/evil",
            "/ /evil",
            "",
            "review",
        ] {
            assert_eq!(same_origin_path(bad), None, "{bad:?}");
        }
    }
}

//! `VITRINE_LOG`: which records are written. `info` (the default), `debug`, `warn`, `error`,
//! `trace` or `off` set Vitrine's own level; `target=level` items (comma-separated) set a
//! library's, e.g. `VITRINE_LOG=debug,tauri=info`; `*=level` sets every other library's
//! (warn by default).

use log::LevelFilter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Vitrine's own records (`vitrine::…`).
    own: LevelFilter,
    /// Everything not named below.
    others: LevelFilter,
    /// `target=level` items, longest target first.
    targets: Vec<(String, LevelFilter)>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            own: LevelFilter::Info,
            others: LevelFilter::Warn,
            targets: Vec::new(),
        }
    }
}

impl Filter {
    /// Parses a `VITRINE_LOG` value; unknown items are returned so the caller can say so.
    pub fn parse(spec: &str) -> (Filter, Vec<String>) {
        let mut f = Filter::default();
        let mut unknown = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('=') {
                None => match item.parse::<LevelFilter>() {
                    Ok(l) => f.own = l,
                    Err(_) => unknown.push(item.to_string()),
                },
                Some((target, level)) => match level.trim().parse::<LevelFilter>() {
                    Ok(l) => match target.trim() {
                        "*" | "all" => f.others = l,
                        "vitrine" => f.own = l,
                        t => f.targets.push((t.to_string(), l)),
                    },
                    Err(_) => unknown.push(item.to_string()),
                },
            }
        }
        f.targets.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        (f, unknown)
    }

    pub fn level_for(&self, target: &str) -> LevelFilter {
        let within = |t: &str| target == t || target.starts_with(&format!("{t}::"));
        if let Some((_, l)) = self.targets.iter().find(|(t, _)| within(t)) {
            return *l;
        }
        if within("vitrine") {
            self.own
        } else {
            self.others
        }
    }

    /// The most verbose level any target gets (for `log::set_max_level`).
    pub fn max(&self) -> LevelFilter {
        self.targets
            .iter()
            .map(|(_, l)| *l)
            .chain([self.own, self.others])
            .max()
            .unwrap_or(LevelFilter::Info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_info_for_vitrine_and_warn_for_libraries() {
        let f = Filter::default();
        assert_eq!(f.level_for("vitrine::sync::engine"), LevelFilter::Info);
        assert_eq!(f.level_for("tauri::app"), LevelFilter::Warn);
        assert_eq!(
            f.level_for("vitrinex"),
            LevelFilter::Warn,
            "a prefix is not a module"
        );
    }

    #[test]
    fn levels_and_targets_combine() {
        let (f, unknown) = Filter::parse("debug, tauri=info, tauri::ipc=off, *=error, loud");
        assert_eq!(unknown, vec!["loud".to_string()]);
        assert_eq!(f.level_for("vitrine::import"), LevelFilter::Debug);
        assert_eq!(f.level_for("tauri::app"), LevelFilter::Info);
        assert_eq!(f.level_for("tauri::ipc::channel"), LevelFilter::Off);
        assert_eq!(f.level_for("hyper"), LevelFilter::Error);
        assert_eq!(f.max(), LevelFilter::Debug);
        assert_eq!(
            Filter::parse("OFF").0.level_for("vitrine"),
            LevelFilter::Off
        );
    }
}

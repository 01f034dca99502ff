//! How the webview paints on this machine, chosen once before GTK and WebKit start.
//!
//! WebKitGTK composites with OpenGL. On a machine without a GPU (a VM, a remote desktop, CI)
//! Mesa emulates OpenGL on the CPU (llvmpipe), and compositing through it is the slowest way to
//! paint: measured here (2 cores, no GPU, `benches/app_bench.py`) a grid scroll frame costs
//! 30–47 ms that way and 16 ms when WebKit paints straight on the CPU, and the first screen
//! comes 0.5–0.8 s sooner. So when there is no GPU the app asks WebKit to paint without
//! compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=1`, inherited by WebKit's web process).
//!
//! `VITRINE_RENDERING=gpu|cpu|auto` overrides the choice (a VM whose virtual GPU has a render
//! node but no 3D still ends up on llvmpipe: `cpu` is for it); a `WEBKIT_DISABLE_COMPOSITING_MODE`
//! the user set (to any value) wins over both. Other WebKit variables (`WEBKIT_DISABLE_DMABUF_RENDERER`,
//! a common Tauri workaround) do not change the choice.

use std::sync::OnceLock;

/// Overrides the automatic choice: `gpu`, `cpu` or `auto` (the default).
pub const RENDERING_ENV: &str = "VITRINE_RENDERING";

/// WebKit's own switch for the same thing: when the user set it, it decides.
const WEBKIT_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// WebKit's default: GPU compositing.
    Gpu,
    /// Painted on the CPU, no compositing.
    Cpu,
    /// The user set `WEBKIT_DISABLE_COMPOSITING_MODE` themselves.
    User,
    /// Not Linux: WebView2 and WKWebView pick their own way to paint.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub mode: Mode,
    /// Why, in words for the settings view.
    pub reason: String,
}

impl Choice {
    /// One line for the settings view, e.g. "CPU (no GPU found: /dev/dri has no render node)".
    pub fn describe(&self) -> String {
        let what = match self.mode {
            Mode::Gpu => "GPU",
            Mode::Cpu => "CPU",
            Mode::User => "as set by WEBKIT_DISABLE_COMPOSITING_MODE",
            Mode::System => "the system webview's default",
        };
        format!("{what} ({})", self.reason)
    }
}

/// What this machine offers, read once (kept apart so the choice is testable).
#[derive(Debug, Default, Clone)]
pub struct Machine {
    /// A GPU render node (`/dev/dri/renderD*`) exists.
    pub render_node: bool,
}

impl Machine {
    pub fn probe() -> Self {
        let render_node = std::fs::read_dir("/dev/dri")
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
            })
            .unwrap_or(false);
        Machine { render_node }
    }
}

/// The choice for `machine` given the environment `var`.
pub fn choose(var: impl Fn(&str) -> Option<String>, machine: &Machine) -> Choice {
    if let Some(v) = var(WEBKIT_VAR).filter(|v| !v.is_empty()) {
        return Choice {
            mode: Mode::User,
            reason: format!("{WEBKIT_VAR}={v}"),
        };
    }
    let asked = var(RENDERING_ENV).unwrap_or_default().to_ascii_lowercase();
    match asked.trim() {
        "gpu" => {
            return Choice {
                mode: Mode::Gpu,
                reason: format!("{RENDERING_ENV}=gpu"),
            }
        }
        "cpu" => {
            return Choice {
                mode: Mode::Cpu,
                reason: format!("{RENDERING_ENV}=cpu"),
            }
        }
        _ => {}
    }
    // `k` is set to one of `values` (ignoring case and surrounding spaces).
    let is_one_of = |k: &str, values: &[&str]| {
        var(k).is_some_and(|v| values.contains(&v.trim().to_ascii_lowercase().as_str()))
    };
    let software_gl = is_one_of("LIBGL_ALWAYS_SOFTWARE", &["1", "true", "yes", "y"])
        || is_one_of("GALLIUM_DRIVER", &["llvmpipe", "softpipe", "swr"]);
    if software_gl {
        Choice {
            mode: Mode::Cpu,
            reason: "OpenGL is set to a software renderer".into(),
        }
    } else if !machine.render_node {
        Choice {
            mode: Mode::Cpu,
            reason: "no GPU found: /dev/dri has no render node".into(),
        }
    } else {
        Choice {
            mode: Mode::Gpu,
            reason: "a GPU render node was found".into(),
        }
    }
}

static CHOSEN: OnceLock<Choice> = OnceLock::new();

/// Chooses and applies the rendering mode. Call first thing in `main`, before any thread starts
/// and before GTK: WebKit reads the variable when it starts its web process.
pub fn apply() -> &'static Choice {
    CHOSEN.get_or_init(|| {
        if !cfg!(target_os = "linux") {
            return Choice {
                mode: Mode::System,
                reason: "WebView2 and WKWebView choose".into(),
            };
        }
        let choice = choose(|k| std::env::var(k).ok(), &Machine::probe());
        if choice.mode == Mode::Cpu {
            std::env::set_var(WEBKIT_VAR, "1");
        }
        choice
    })
}

/// The choice made by [`apply`], if it ran (the settings view shows it).
pub fn current() -> Option<&'static Choice> {
    CHOSEN.get()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    const GPU: Machine = Machine { render_node: true };
    const NO_GPU: Machine = Machine { render_node: false };

    #[test]
    fn no_render_node_paints_on_the_cpu() {
        let c = choose(env(&[]), &NO_GPU);
        assert_eq!(c.mode, Mode::Cpu);
        assert!(
            c.describe().starts_with("CPU (no GPU found"),
            "{}",
            c.describe()
        );
    }

    #[test]
    fn a_gpu_keeps_webkit_defaults() {
        assert_eq!(choose(env(&[]), &GPU).mode, Mode::Gpu);
    }

    #[test]
    fn software_gl_paints_on_the_cpu_even_with_a_render_node() {
        assert_eq!(
            choose(env(&[("LIBGL_ALWAYS_SOFTWARE", "1")]), &GPU).mode,
            Mode::Cpu
        );
        assert_eq!(
            choose(env(&[("GALLIUM_DRIVER", "llvmpipe")]), &GPU).mode,
            Mode::Cpu
        );
        assert_eq!(
            choose(env(&[("GALLIUM_DRIVER", "radeonsi")]), &GPU).mode,
            Mode::Gpu
        );
    }

    #[test]
    fn the_override_wins_over_the_machine() {
        assert_eq!(
            choose(env(&[(RENDERING_ENV, "gpu")]), &NO_GPU).mode,
            Mode::Gpu
        );
        assert_eq!(
            choose(env(&[(RENDERING_ENV, " CPU ")]), &GPU).mode,
            Mode::Cpu
        );
        assert_eq!(
            choose(env(&[(RENDERING_ENV, "auto")]), &NO_GPU).mode,
            Mode::Cpu
        );
        assert_eq!(
            choose(env(&[(RENDERING_ENV, "nonsense")]), &GPU).mode,
            Mode::Gpu
        );
    }

    #[test]
    fn a_compositing_switch_set_by_the_user_wins() {
        for v in ["1", "0"] {
            let c = choose(env(&[(WEBKIT_VAR, v), (RENDERING_ENV, "cpu")]), &NO_GPU);
            assert_eq!(c.mode, Mode::User, "{v}");
            assert!(c.describe().contains(&format!("{WEBKIT_VAR}={v}")));
        }
        // An empty value is not a choice.
        assert_eq!(choose(env(&[(WEBKIT_VAR, "")]), &NO_GPU).mode, Mode::Cpu);
    }

    #[test]
    fn other_webkit_workarounds_do_not_change_the_choice() {
        let dmabuf = ("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        assert_eq!(choose(env(&[dmabuf]), &NO_GPU).mode, Mode::Cpu);
        assert_eq!(choose(env(&[dmabuf]), &GPU).mode, Mode::Gpu);
        assert_eq!(
            choose(env(&[dmabuf, (RENDERING_ENV, "cpu")]), &GPU).mode,
            Mode::Cpu
        );
    }

    #[test]
    fn software_gl_spellings() {
        let cases = [
            ("1", Mode::Cpu),
            ("true", Mode::Cpu),
            ("TRUE", Mode::Cpu),
            ("yes", Mode::Cpu),
            ("y", Mode::Cpu),
            ("0", Mode::Gpu),
            ("false", Mode::Gpu),
            ("", Mode::Gpu),
        ];
        for (v, mode) in cases {
            let c = choose(env(&[("LIBGL_ALWAYS_SOFTWARE", v)]), &GPU);
            assert_eq!(c.mode, mode, "{v:?}");
        }
        assert_eq!(
            choose(env(&[("GALLIUM_DRIVER", "LLVMpipe")]), &GPU).mode,
            Mode::Cpu
        );
    }
}

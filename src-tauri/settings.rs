//! The library's settings as the app's Settings view shows and edits them: import limits
//! (kept in the catalog), with what is fixed or chosen elsewhere shown read-only.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::import::{DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS};
use crate::library::Library;
use crate::offload::KeepPolicy;
use crate::thumbs::ThumbSize;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Settings {
    /// Read-only here: chosen with --library / VITRINE_LIBRARY.
    pub library_path: String,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub max_file_size: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub max_pixels: u64,
    /// Read-only: fixed thumbnail sizes (long edge, px).
    pub grid_size: u32,
    pub preview_size: u32,
    /// Settings → Storage: which originals stay on this computer after each sync (the others
    /// are offloaded once their bucket copy verifies).
    #[serde(default)]
    pub keep_originals: KeepPolicy,
    /// Read-only: how the window paints (GPU, or CPU when there is no GPU) and why (the front
    /// end fills it in).
    #[serde(default)]
    pub rendering: String,
}

impl Settings {
    /// The settings of `lib`; `rendering` is what the front end says about its window.
    pub fn load(lib: &Library, rendering: String) -> Result<Self> {
        let catalog = lib.catalog();
        let num = |key: &str, default: u64| -> Result<u64> {
            Ok(catalog
                .setting(key)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(default))
        };
        Ok(Settings {
            library_path: lib.root().display().to_string(),
            max_file_size: num("import.max_file_size", DEFAULT_MAX_BYTES)?,
            max_pixels: num("import.max_pixels", DEFAULT_MAX_PIXELS)?,
            grid_size: ThumbSize::Grid.long_edge(),
            preview_size: ThumbSize::Preview.long_edge(),
            keep_originals: KeepPolicy::load(&catalog)?,
            rendering,
        })
    }

    /// Saves the editable part of `s`; returns the settings as now stored.
    pub fn save(lib: &Library, s: &Settings) -> Result<Self> {
        if s.max_file_size < 1024 || s.max_pixels < 1024 {
            return Err(Error::Invalid {
                what: "import limit",
                value: format!("{} bytes / {} pixels", s.max_file_size, s.max_pixels),
                hint: "limits must be at least 1 KiB and 1024 pixels",
            });
        }
        {
            let catalog = lib.catalog();
            s.keep_originals.save(&catalog)?;
            catalog.set_setting("import.max_file_size", &s.max_file_size.to_string())?;
            catalog.set_setting("import.max_pixels", &s.max_pixels.to_string())?;
        }
        Self::load(lib, s.rendering.clone())
    }
}

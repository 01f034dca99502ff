//! The picture's shape and size as filters: orientation as displayed (landscape, portrait,
//! square) and pixel count (small, medium, large). Each is one SQL expression over the row,
//! indexed with the date added second (schema 8), so a filter on it also gives the
//! newest-first order.

use crate::error::{Error, Result};

/// `sign(displayed width - displayed height)`: 1 landscape, -1 portrait, 0 square. Stored
/// width and height are the encoded ones; EXIF orientations 5–8 turn the picture a quarter,
/// so they swap. Indexed as `images_shape` (the same expression without `images.`).
pub const SHAPE: &str = "CASE WHEN images.orientation BETWEEN 5 AND 8 \
     THEN sign(images.height - images.width) ELSE sign(images.width - images.height) END";

/// 0 small (under 1 MP), 1 medium (1 MP up to 8 MP), 2 large (8 MP and more). Indexed as
/// `images_pixels`.
pub const PIXELS: &str = "CASE WHEN images.width * images.height < 1000000 THEN 0 \
     WHEN images.width * images.height < 8000000 THEN 1 ELSE 2 END";

/// How a picture is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Wider than tall.
    Landscape,
    /// Taller than wide.
    Portrait,
    Square,
}

impl Orientation {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "landscape" => Ok(Self::Landscape),
            "portrait" => Ok(Self::Portrait),
            "square" => Ok(Self::Square),
            _ => Err(Error::Invalid {
                what: "orientation",
                value: s.to_string(),
                hint: "use landscape, portrait or square",
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Landscape => "landscape",
            Self::Portrait => "portrait",
            Self::Square => "square",
        }
    }

    /// Its value of [`SHAPE`].
    pub fn key(self) -> i64 {
        match self {
            Self::Landscape => 1,
            Self::Portrait => -1,
            Self::Square => 0,
        }
    }
}

/// A picture's size by pixel count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeClass {
    /// Under 1,000,000 pixels.
    Small,
    /// 1,000,000 to 7,999,999 pixels.
    Medium,
    /// 8,000,000 pixels and more.
    Large,
}

impl SizeClass {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Ok(Self::Small),
            "medium" => Ok(Self::Medium),
            "large" => Ok(Self::Large),
            _ => Err(Error::Invalid {
                what: "size",
                value: s.to_string(),
                hint: "use small (under 1 MP), medium (1 to 8 MP) or large (8 MP and more)",
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    /// Its value of [`PIXELS`].
    pub fn key(self) -> i64 {
        match self {
            Self::Small => 0,
            Self::Medium => 1,
            Self::Large => 2,
        }
    }
}

/// An orientation filter as stored in a query (`landscape`, `portrait`, `square`), checked.
pub fn parse_orientation(s: &str) -> Result<String> {
    Ok(Orientation::parse(s)?.as_str().to_string())
}

/// A size filter as stored in a query (`small`, `medium`, `large`), checked.
pub fn parse_pixel_size(s: &str) -> Result<String> {
    Ok(SizeClass::parse(s)?.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`SHAPE`] and [`PIXELS`] evaluated by SQLite on one row.
    fn eval(width: i64, height: i64, orientation: i64) -> (i64, i64) {
        let conn = rusqlite::Connection::open_in_memory().expect("memory db");
        conn.query_row(
            &format!(
                "SELECT {SHAPE}, {PIXELS} FROM (SELECT ?1 AS width, ?2 AS height, ?3 AS orientation) images"
            ),
            [width, height, orientation],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("evaluate")
    }

    #[test]
    fn orientation_is_as_displayed_after_exif_rotation() {
        use Orientation::*;
        for o in 1..=4 {
            assert_eq!(
                eval(400, 300, o).0,
                Landscape.key(),
                "orientation {o} keeps it"
            );
            assert_eq!(
                eval(300, 400, o).0,
                Portrait.key(),
                "orientation {o} keeps it"
            );
        }
        for o in 5..=8 {
            assert_eq!(
                eval(400, 300, o).0,
                Portrait.key(),
                "orientation {o} turns it"
            );
            assert_eq!(
                eval(300, 400, o).0,
                Landscape.key(),
                "orientation {o} turns it"
            );
        }
        assert_eq!(eval(500, 500, 6).0, Square.key());
    }

    #[test]
    fn size_classes_split_at_one_and_eight_megapixels() {
        use SizeClass::*;
        assert_eq!(eval(999, 1000, 1).1, Small.key(), "999,000 px");
        assert_eq!(eval(1000, 1000, 1).1, Medium.key(), "exactly 1 MP");
        assert_eq!(eval(3999, 2000, 6).1, Medium.key(), "7,998,000 px");
        assert_eq!(eval(4000, 2000, 1).1, Large.key(), "exactly 8 MP");
    }

    #[test]
    fn names_are_checked_and_normalized() {
        assert_eq!(parse_orientation(" Portrait ").unwrap(), "portrait");
        assert_eq!(parse_pixel_size("LARGE").unwrap(), "large");
        for bad in ["tall", ""] {
            let e = parse_orientation(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::Invalid {
                        what: "orientation",
                        ..
                    }
                ),
                "{e}"
            );
        }
        let e = parse_pixel_size("huge").unwrap_err();
        assert!(e.to_string().contains("huge"), "{e}");
    }
}

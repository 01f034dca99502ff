//! A published album's `album.json` and `index.html`: plain static files whose links are
//! relative to their folder, so the page works from any bucket, CDN or folder server.

use serde::Serialize;

/// One image of the page, as `album.json` lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageImage {
    pub id: String,
    pub file_name: String,
    /// As displayed (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub mime: String,
    /// Relative to the album's folder (`images/<id>.<ext>`), and absolute.
    pub path: String,
    pub url: String,
    pub thumbnail_path: String,
    pub thumbnail_url: String,
}

#[derive(Debug, Serialize)]
pub struct AlbumJson<'a> {
    pub version: u32,
    pub name: &'a str,
    pub published_at: String,
    pub images: &'a [PageImage],
}

/// `& < > " '` escaped: safe in text and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;background:#111;color:#eee}\
header{padding:1.5rem 1rem .5rem}\
h1{margin:0;font-size:1.6rem;font-weight:600;overflow-wrap:anywhere}\
p.count{margin:.25rem 0 0;color:#aaa;font-size:.9rem}\
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:6px;padding:1rem}\
main a{display:block;aspect-ratio:1;background:#222;border-radius:4px;overflow:hidden}\
main img{width:100%;height:100%;object-fit:cover;display:block}\
main a:focus-visible{outline:3px solid #6af;outline-offset:2px}\
@media (max-width:480px){main{grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:3px;padding:3px}}\
@media (prefers-color-scheme:light){body{background:#fafafa;color:#111}main a{background:#e5e5e5}p.count{color:#555}}";

/// The album's page: its name and a responsive grid of thumbnails, each linking to its image.
pub fn index_html(name: &str, images: &[PageImage]) -> String {
    let title = escape(name);
    let mut grid = String::new();
    for img in images {
        grid.push_str(&format!(
            "<a href=\"{}\" title=\"{}\"><img src=\"{}\" alt=\"{}\" loading=\"lazy\" width=\"{}\" height=\"{}\"></a>\n",
            escape(&img.path),
            escape(&img.file_name),
            escape(&img.thumbnail_path),
            escape(&img.file_name),
            img.width,
            img.height,
        ));
    }
    let count = match images.len() {
        1 => "1 image".to_string(),
        n => format!("{n} images"),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n\
<body>\n<header><h1>{title}</h1><p class=\"count\">{count}</p></header>\n<main>\n{grid}</main>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(name: &str) -> PageImage {
        PageImage {
            id: "01ABC".into(),
            file_name: name.into(),
            width: 4,
            height: 3,
            mime: "image/jpeg".into(),
            path: "images/01ABC.jpg".into(),
            url: "http://x/images/01ABC.jpg".into(),
            thumbnail_path: "thumbs/01ABC.jpg".into(),
            thumbnail_url: "http://x/thumbs/01ABC.jpg".into(),
        }
    }

    #[test]
    fn hostile_names_are_escaped_everywhere() {
        let html = index_html(
            "<script>alert(1)</script> & \"co\"",
            &[image("\"><img src=x onerror=alert(1)>.jpg")],
        );
        assert!(!html.contains("<script>"), "no script element: {html}");
        assert!(!html.contains("<img src=x"), "no injected element: {html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.jpg"));
    }

    #[test]
    fn links_are_relative_and_nothing_external_is_loaded() {
        let html = index_html("Trip", &[image("a.jpg")]);
        assert!(html.contains("href=\"images/01ABC.jpg\""));
        assert!(html.contains("src=\"thumbs/01ABC.jpg\""));
        assert!(!html.contains("http"), "no absolute address: {html}");
        assert!(!html.contains("<script"), "no script at all");
        assert!(html.contains("1 image<"));
    }
}
